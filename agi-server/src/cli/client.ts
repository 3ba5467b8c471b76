/** The admin API as the CLI sees it: JSON over HTTP with the bearer token. */

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(describe(status, body));
  }
}

function describe(status: number, body: unknown): string {
  const payload = body as { error?: string; issues?: Array<{ path: string; message: string }> } | undefined;
  const lines = [`${status} ${payload?.error ?? 'error'}`];
  for (const issue of payload?.issues ?? []) lines.push(`  ${issue.path || '(root)'}: ${issue.message}`);
  return lines.join('\n');
}

export interface ApiClient {
  request<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
}

export function apiClient(baseUrl: string, token: string | undefined, author: string): ApiClient {
  return {
    async request<T>(method: string, path: string, body?: unknown): Promise<T> {
      const response = await fetch(new URL(path, baseUrl), {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          'x-switchboard-author': author,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      const json: unknown = text ? JSON.parse(text) : undefined;
      if (!response.ok) throw new ApiError(response.status, json);
      return json as T;
    },
  };
}
