/**
 * What the CLI tells people when something goes wrong, and the exit code scripts can test.
 * Every message names what to change: the env var, the flag, or the field in the file.
 */

/** Exit codes (documented in README.md, "CLI exit codes"). */
export const ExitCode = {
  ok: 0,
  /** The API refused the request: invalid input or document, not found, conflict. */
  refused: 1,
  /** Bad command line: unknown command or option, missing argument (commander's own). */
  usage: 2,
  /** No admin API at the address (SWITCHBOARD_URL / --url), or it answered something else. */
  unreachable: 3,
  /** No token, or the API did not accept it (SWITCHBOARD_TOKEN / --token). */
  unauthorised: 4,
} as const;

export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

export interface Issue {
  readonly path: string;
  readonly message: string;
}

/**
 * `body.outboundCallerId` or `extensions.106.outboundCallerId` becomes `--caller-id` when the
 * command took that value from a flag: people fix what they typed, not an API field.
 */
export function issueLines(issues: readonly Issue[], flags: Readonly<Record<string, string>> = {}): string[] {
  return issues.map((issue) => {
    const field = issue.path.split('.').at(-1) ?? '';
    const flag = flags[field];
    return flag ? `  ${flag}: ${issue.message}` : `  ${issue.path || '(document)'}: ${issue.message}`;
  });
}
