import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { serverConfigSchema } from '../../agi-server/src/config.js';

// The README's variable table is where operators look: every setting the AGI server reads from
// its environment (the zod schema in agi-server/src/config.ts) must have a row there, so a new
// variable cannot land without it.

/** The variables named in the first column of the README's "variable (AGI server)" table. */
function readmeVariables(): Set<string> {
  const readme = readFileSync('README.md', 'utf8');
  const start = readme.indexOf('| variable (AGI server) |');
  expect(start).toBeGreaterThan(-1);
  const rows = readme.slice(start).split('\n');
  const table = rows.slice(
    0,
    rows.findIndex((row) => !row.startsWith('|')),
  );
  const names = table.flatMap((row) => {
    const firstCell = row.split('|')[1] ?? '';
    return [...firstCell.matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((match) => match[1] as string);
  });
  return new Set(names);
}

describe("README's variable table", () => {
  it('lists every variable of the server config schema', () => {
    const listed = readmeVariables();
    const missing = Object.keys(serverConfigSchema.shape).filter((name) => !listed.has(name));
    expect(missing).toEqual([]);
  });

  it('lists nothing the server does not read (SB_ENV_FILE is read before the schema)', () => {
    const known = new Set([...Object.keys(serverConfigSchema.shape), 'SB_ENV_FILE']);
    expect([...readmeVariables()].filter((name) => !known.has(name))).toEqual([]);
  });
});
