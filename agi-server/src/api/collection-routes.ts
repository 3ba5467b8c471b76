import { z } from 'zod';
import type { RoutingConfig } from '../routing/model.js';
import { applyChange, found, removeFrom, upsert, versionResponse } from './config-changes.js';
import type { AdminApiDeps, TypedApp } from './types.js';

/**
 * GET list, GET one, PUT (create or replace) and DELETE for one keyed collection of the routing
 * document (routes, schedules, extensions, outbound policies and trunks): written once here, so
 * every collection answers, validates and records its changes the same way.
 */
export interface Collection<Item> {
  /** URL path of the list, e.g. `/routes`; one item is `${path}/:key`. */
  readonly path: string;
  readonly tag: string;
  /** How the change log and 404s name one item, e.g. `route`. */
  readonly noun: string;
  /** More than one, when not `${noun}s` (e.g. `outbound policies`). */
  readonly plural?: string;
  /** The item's key field (`id`, `number`) and its URL parameter's schema. */
  readonly key: string;
  readonly keySchema: z.ZodString;
  /** The item without its key: the PUT body. */
  readonly body: z.ZodType;
  readonly list: (config: RoutingConfig) => readonly Item[];
  readonly keyOf: (item: Item) => string;
  readonly replace: (config: RoutingConfig, items: Item[]) => RoutingConfig;
  /** Single-item lookup; default: a scan of `list`. */
  readonly lookup?: (key: string) => Item | undefined;
  /** Without GET routes (the document section has its own reader). */
  readonly writeOnly?: boolean;
}

export function registerCollection<Item>(
  app: TypedApp,
  deps: AdminApiDeps,
  collection: Collection<Item>,
): void {
  const { routing } = deps;
  const { path, tag, noun, key, keyOf } = collection;
  const params = z.object({ [key]: collection.keySchema });
  const keyIn = (request: { params: unknown }) => (request.params as Record<string, string>)[key] as string;
  const item = `${path}/:${key}`;
  // Operation ids and summaries for the OpenAPI document (every route has both; see error-responses.ts).
  const plural = collection.plural ?? `${noun}s`;
  const camel = (words: string) =>
    words.replace(/(^|\s)(\w)/g, (_, _space: string, letter: string) => letter.toUpperCase());
  const article = /^[aeiou]/.test(noun) ? 'an' : 'a';
  const describe = (operation: string, summary: string) => ({ operationId: operation, summary });

  if (!collection.writeOnly) {
    app.get(
      path,
      { schema: { ...describe(`list${camel(plural)}`, `List ${plural}`), tags: [tag] } },
      async () => collection.list(routing.config),
    );
    app.get(
      item,
      { schema: { ...describe(`get${camel(noun)}`, `One ${noun}`), tags: [tag], params } },
      async (request) => {
        const wanted = keyIn(request);
        const value =
          collection.lookup?.(wanted) ?? collection.list(routing.config).find((one) => keyOf(one) === wanted);
        return found(value, `${noun} ${wanted}`);
      },
    );
  }
  app.put(
    item,
    {
      schema: {
        ...describe(`put${camel(noun)}`, `Create or replace ${article} ${noun} (a new version)`),
        tags: [tag],
        params,
        body: collection.body,
        response: { 200: versionResponse },
      },
    },
    async (request) => {
      const wanted = keyIn(request);
      const value = { ...(request.body as object), [key]: wanted } as Item;
      return applyChange(routing, request.author, `put ${noun} ${wanted}`, (config) =>
        collection.replace(
          config,
          upsert(collection.list(config), value, (one) => keyOf(one) === wanted),
        ),
      );
    },
  );
  app.delete(
    item,
    {
      schema: {
        ...describe(`delete${camel(noun)}`, `Delete ${article} ${noun} (a new version)`),
        tags: [tag],
        params,
        response: { 200: versionResponse },
      },
    },
    async (request) => {
      const wanted = keyIn(request);
      return applyChange(routing, request.author, `delete ${noun} ${wanted}`, (config) =>
        collection.replace(
          config,
          removeFrom(collection.list(config), (one) => keyOf(one) === wanted, `${noun} ${wanted}`),
        ),
      );
    },
  );
}
