import { z } from 'zod';
import { BLOCKED_CALLER, blockEntrySchema, blocklistSchema } from '../routing/blocklist-model.js';
import type { RoutingConfig } from '../routing/model.js';
import { registerCollection } from './collection-routes.js';
import { applyChange, versionResponse } from './config-changes.js';
import type { AdminApiDeps, TypedApp } from './types.js';

/**
 * The blocklist: the whole section (default action and entries), and one entry at a time keyed
 * by its caller (`+15551230001`, `+1900*`, `anonymous`; URL-encoded, `%2B` for `+`). Every
 * change is a new version, live on the next call (see docs/blocklist.md).
 */
export function registerBlocklistRoutes(app: TypedApp, deps: AdminApiDeps): void {
  const { routing } = deps;
  app.get(
    '/blocklist',
    {
      schema: {
        operationId: 'getBlocklist',
        summary: 'The blocklist: default action and entries',
        tags: ['blocklist'],
      },
    },
    async () => routing.config.blocklist,
  );
  app.put(
    '/blocklist',
    {
      schema: {
        operationId: 'putBlocklist',
        summary: 'Replace the blocklist (a new version)',
        tags: ['blocklist'],
        body: blocklistSchema,
        response: { 200: versionResponse },
      },
    },
    async (request) =>
      applyChange(routing, request.author, 'put blocklist', (config) => ({
        ...config,
        blocklist: request.body,
      })),
  );
  registerCollection(app, deps, {
    path: '/blocklist/entries',
    tag: 'blocklist',
    noun: 'blocklist entry',
    plural: 'blocklist entries',
    key: 'caller',
    keySchema: z.string().regex(BLOCKED_CALLER, 'an E.164 number, a prefix such as +1900*, or anonymous'),
    body: blockEntrySchema.omit({ caller: true }),
    list: (config) => config.blocklist.entries,
    keyOf: (entry) => entry.caller,
    replace: (config: RoutingConfig, entries) => ({ ...config, blocklist: { ...config.blocklist, entries } }),
  });
}
