import { describeIssue, describeIssues, issuePath } from '@switchboard/contract';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

describe('validation issues as people read them', () => {
  it('reads a zod issue and an issue that crossed the API the same way', () => {
    const parsed = z
      .object({ routes: z.array(z.object({ did: z.string() })) })
      .safeParse({ routes: [{ did: 1 }] });
    const [issue] = parsed.success ? [] : parsed.error.issues;
    expect(issue && describeIssue(issue)).toBe(
      'routes.0.did: Invalid input: expected string, received number',
    );
    expect(describeIssue({ path: 'routes.0.did', message: 'bad' })).toBe('routes.0.did: bad');
  });

  it('names the root when the value itself is at fault, and joins several', () => {
    expect(issuePath([])).toBe('(root)');
    expect(issuePath('')).toBe('(root)');
    expect(
      describeIssues(
        [
          { path: ['a'], message: 'x' },
          { path: [], message: 'y' },
        ],
        '\n',
      ),
    ).toBe('a: x\n(root): y');
  });
});
