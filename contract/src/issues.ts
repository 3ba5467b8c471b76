/**
 * How a validation problem reads, everywhere it is shown (logs, start-up errors, the admin API's
 * 400 body, the CLI): `routes.0.did: not a phone number: 12`. Zod issues carry their path as an
 * array, issues that have crossed the API as a dotted string; both read the same.
 */

export interface IssueLike {
  readonly path: string | readonly PropertyKey[];
  readonly message: string;
}

/** The dotted path of an issue; `(root)` when the value itself is at fault. */
export function issuePath(path: IssueLike['path']): string {
  const dotted = typeof path === 'string' ? path : path.map(String).join('.');
  return dotted || '(root)';
}

export function describeIssue(issue: IssueLike): string {
  return `${issuePath(issue.path)}: ${issue.message}`;
}

/** Every issue on one line (`; `) or on lines of their own (`\n  `). */
export function describeIssues(issues: readonly IssueLike[], separator = '; '): string {
  return issues.map(describeIssue).join(separator);
}
