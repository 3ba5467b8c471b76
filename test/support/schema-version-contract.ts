import { expect, it } from 'vitest';
import { NewerStoreSchemaError } from '../../agi-server/src/store/schema-version.js';
import type { SwitchboardStore } from '../../agi-server/src/store/types.js';

/** One store's place (a file, a database URL), how to open it, and how to age its schema. */
export interface SchemaVersionFixture {
  readonly engine: 'SQLite' | 'PostgreSQL';
  /** How many migrations this server knows. */
  readonly known: number;
  /** A new, empty place for a store. */
  readonly place: () => Promise<string>;
  readonly open: (place: string) => Promise<SwitchboardStore>;
  /** The schema version the store at `place` records. */
  readonly schemaVersion: (place: string) => Promise<number>;
  /** Record `version` as the store's schema version, as a newer server's migration would. */
  readonly setSchemaVersion: (place: string, version: number) => Promise<void>;
}

/** The same checks on both engines: an older server refuses a store a newer one migrated. */
export function itRefusesNewerSchema(fixture: SchemaVersionFixture): void {
  it(`${fixture.engine}: a store migrated by a newer server is refused with one line naming both versions, and left as it is`, async () => {
    const place = await fixture.place();
    await (await fixture.open(place)).close();
    // At its own version it opens again (the control: the refusal below is about the version).
    await (await fixture.open(place)).close();
    expect(await fixture.schemaVersion(place)).toBe(fixture.known);

    await fixture.setSchemaVersion(place, fixture.known + 1);
    const refused = await fixture.open(place).then(
      async (store) => {
        await store.close();
        return undefined;
      },
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(NewerStoreSchemaError);
    const message = (refused as Error).message;
    expect(message).not.toContain('\n');
    expect(message).toContain(`${fixture.engine} store's schema is version ${fixture.known + 1}`);
    expect(message).toContain(`knows versions up to ${fixture.known}`);
    // Nothing was migrated back or over.
    expect(await fixture.schemaVersion(place)).toBe(fixture.known + 1);
  });
}
