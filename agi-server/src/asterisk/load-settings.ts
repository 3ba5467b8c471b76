import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { type AsteriskSettings, asteriskSettingsSchema } from './settings.js';

export function loadAsteriskSettings(path: string): AsteriskSettings {
  const parsed = asteriskSettingsSchema.safeParse(parse(readFileSync(path, 'utf8')));
  if (!parsed.success) {
    // One line: what to set, by path.
    const issues = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    throw new Error(`invalid Asterisk settings ${path}: ${issues.join('; ')}`);
  }
  return parsed.data;
}
