import { CliError, ExitCode, type Issue, issueLines } from './errors.js';

/** The admin API as the CLI sees it: JSON over HTTP with the bearer token. */

export class ApiError extends CliError {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly body: { error?: string; issues?: Issue[] } | undefined,
    flags: Readonly<Record<string, string>>,
  ) {
    const lines = [`${status === 404 ? 'not found' : 'refused'}: ${body?.error ?? `HTTP ${status}`}`];
    lines.push(...issueLines(body?.issues ?? [], flags));
    super(lines.join('\n'), ExitCode.refused);
  }
}

export interface RequestOptions {
  /** API field -> the flag the user typed it with, for error messages. */
  readonly flags?: Readonly<Record<string, string>>;
  /** Send a text body (YAML) as is. `binary`: the answer's bytes as a Buffer (audio). */
  readonly accept?: 'json' | 'text' | 'binary';
}

export interface ApiClient {
  request<T = unknown>(method: string, path: string, body?: unknown, options?: RequestOptions): Promise<T>;
}

export interface ClientSettings {
  readonly url: string;
  /** Where the URL came from, named in errors: `--url`, `SWITCHBOARD_URL` or the default. */
  readonly urlSource: string;
  readonly token: string | undefined;
  readonly author: string;
}

export function apiClient(settings: ClientSettings): ApiClient {
  return {
    async request<T>(method: string, path: string, body?: unknown, options: RequestOptions = {}): Promise<T> {
      if (!settings.token) {
        throw new CliError(
          'no admin API token: set SWITCHBOARD_TOKEN (or pass --token) to the token the server printed at first start',
          ExitCode.unauthorised,
        );
      }
      let response: Response;
      try {
        response = await fetch(new URL(path, settings.url), {
          method,
          headers: {
            authorization: `Bearer ${settings.token}`,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            'x-switchboard-author': settings.author,
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
      } catch (error) {
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        throw new CliError(
          `cannot reach the admin API at ${settings.url} (${cause?.code ?? cause?.message ?? (error as Error).message}); ` +
            `is the server running? The address comes from ${settings.urlSource}: set SWITCHBOARD_URL or pass --url`,
          ExitCode.unreachable,
        );
      }
      const raw = Buffer.from(await response.arrayBuffer());
      const text = raw.toString('utf8');
      if (response.status === 401) {
        throw new CliError(
          `the admin API at ${settings.url} did not accept the token: set SWITCHBOARD_TOKEN (or --token) to the admin token`,
          ExitCode.unauthorised,
        );
      }
      if (options.accept === 'text' && response.ok) return text as T;
      if (options.accept === 'binary' && response.ok) return raw as T;
      let json: unknown;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        throw new CliError(
          `${settings.url} answered something that is not the Switchboard admin API (HTTP ${response.status}); check SWITCHBOARD_URL or --url`,
          ExitCode.unreachable,
        );
      }
      if (!response.ok) throw new ApiError(response.status, json as ApiError['body'], options.flags ?? {});
      return json as T;
    },
  };
}
