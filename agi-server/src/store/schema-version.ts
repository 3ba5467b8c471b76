import { ConfigError } from '../config.js';

/**
 * A store whose schema is newer than this server's migrations was migrated by a newer
 * Switchboard. An older server must not run on it: it would write rows without the columns the
 * newer one relies on, and read what it does not understand. Start-up stops with one line naming
 * both versions (exit 78, like any setting the operator must fix). See docs/operations.md, Upgrades.
 */
export class NewerStoreSchemaError extends ConfigError {}

export function refuseNewerSchema(engine: 'SQLite' | 'PostgreSQL', found: number, known: number): void {
  if (found > known)
    throw new NewerStoreSchemaError(
      `the ${engine} store's schema is version ${found}, but this server knows versions up to ${known}: ` +
        'a newer Switchboard migrated it; run that version (or restore the backup taken before the upgrade)',
    );
}
