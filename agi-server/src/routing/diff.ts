import diff from 'microdiff';
import type { RoutingConfig } from './model.js';

/**
 * Field-level differences between two routing documents, for review before apply and for
 * history. microdiff (a small, well-kept deep diff) compares arrays by position, which would
 * report every route after an inserted one as changed; so the collections people name by id are
 * first turned into objects keyed by that id, and a path reads `routes.main.plans.open.0.timeoutSeconds`
 * whatever the routes' order. The same keyed paths name validation issues (see `keyedIssuePath`).
 */

export interface FieldChange {
  /** Dotted path in the keyed document, e.g. `routes.main.did` or `extensions.101.name`. */
  readonly path: string;
  readonly kind: 'added' | 'removed' | 'changed';
  readonly before?: unknown;
  readonly after?: unknown;
}

type Keyed = Record<string, unknown>;

/** The document's lists that are keyed, and the field that names their items. */
const KEYS: ReadonlyArray<{ readonly path: readonly string[]; readonly key: string }> = [
  { path: ['routes'], key: 'id' },
  { path: ['schedules'], key: 'id' },
  { path: ['extensions'], key: 'number' },
  { path: ['outbound', 'policies'], key: 'id' },
  { path: ['outbound', 'trunks'], key: 'id' },
  { path: ['messaging', 'targets'], key: 'did' },
  { path: ['blocklist', 'entries'], key: 'caller' },
  { path: ['recording', 'rules'], key: 'id' },
];

function byKey(list: unknown, key: string): unknown {
  if (!Array.isArray(list)) return list;
  return Object.fromEntries(
    list.map((item, index) => [String((item as Keyed)?.[key] ?? `#${index}`), item] as const),
  );
}

/** The document with its named lists as objects keyed by id (a copy; the input is left alone). */
export function keyedDocument(config: unknown): Keyed {
  const copy: Keyed = { ...(config as Keyed) };
  // Sections holding a keyed list are copied too, so keying them never touches the input.
  for (const { path } of KEYS) {
    const section = path.length > 1 ? (path[0] as string) : undefined;
    if (section && copy[section] && typeof copy[section] === 'object')
      copy[section] = { ...(copy[section] as Keyed) };
  }
  for (const { path, key } of KEYS) {
    const parent = path.length === 1 ? copy : (copy[path[0] as string] as Keyed | undefined);
    const field = path[path.length - 1] as string;
    if (parent && field in parent) parent[field] = byKey(parent[field], key);
  }
  return copy;
}

export function diffConfigs(before: RoutingConfig, after: RoutingConfig): FieldChange[] {
  return diff(keyedDocument(before), keyedDocument(after)).map((change) => {
    const path = change.path.join('.');
    if (change.type === 'CREATE') return { path, kind: 'added', after: change.value };
    if (change.type === 'REMOVE') return { path, kind: 'removed', before: change.oldValue };
    // A key present with the value undefined (an optional field cleared) is absent to people.
    if (change.value === undefined) return { path, kind: 'removed', before: change.oldValue };
    if (change.oldValue === undefined) return { path, kind: 'added', after: change.value };
    return { path, kind: 'changed', before: change.oldValue, after: change.value };
  });
}

/**
 * A validation issue's path (positions in the document's lists) as a keyed path: `routes.0.did`
 * in a document whose first route is `main` becomes `routes.main.did`, so an editor can put the
 * message beside the field whatever the item's position.
 */
export function keyedIssuePath(document: unknown, path: readonly PropertyKey[]): string {
  const parts = path.map(String);
  for (const { path: listPath, key } of KEYS) {
    if (listPath.some((segment, index) => parts[index] !== segment)) continue;
    const position = Number(parts[listPath.length]);
    if (!Number.isInteger(position)) continue;
    let list: unknown = document;
    for (const segment of listPath) list = (list as Keyed | undefined)?.[segment];
    const id = Array.isArray(list) ? (list[position] as Keyed | undefined)?.[key] : undefined;
    if (typeof id === 'string' && id) parts[listPath.length] = id;
  }
  return parts.join('.');
}
