import { readFileSync } from 'node:fs';
import { describeIssues } from '@switchboard/contract';
import { parse } from 'yaml';
import { type AsteriskSettings, asteriskSettingsSchema } from './settings.js';

export function loadAsteriskSettings(path: string): AsteriskSettings {
  const parsed = asteriskSettingsSchema.safeParse(parse(readFileSync(path, 'utf8')));
  if (!parsed.success) {
    // One line: what to set, by path.
    throw new Error(`invalid Asterisk settings ${path}: ${describeIssues(parsed.error.issues)}`);
  }
  return parsed.data;
}
