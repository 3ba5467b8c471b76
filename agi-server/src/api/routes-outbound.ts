import { DIALLED, EXTENSION } from '@switchboard/contract';
import { z } from 'zod';
import { outboundPolicySchema, outboundSchema, type RoutingConfig, trunkSchema } from '../routing/model.js';
import { classifyOutbound } from '../routing/outbound.js';
import { decideOutbound } from '../routing/outbound-decision.js';
import { applyChange, removeFrom, upsert, versionResponse } from './config-changes.js';
import type { AdminApiDeps, TypedApp } from './types.js';

/**
 * Outbound policy objects: the whole outbound section, one policy or trunk at a time, and
 * explain (what would be dialled, with which caller ID, through which trunks, or why not).
 */

const idParams = z.object({ id: z.string().min(1).max(64) });

function upsertById<T extends { id: string }>(list: readonly T[], item: T): T[] {
  return upsert(list, item, (entry) => entry.id === item.id);
}

export function registerOutboundRoutes(app: TypedApp, deps: AdminApiDeps): void {
  const { routing } = deps;
  const change = (author: string, summary: string, mutate: (config: RoutingConfig) => RoutingConfig) =>
    applyChange(routing, author, summary, mutate);

  app.get('/outbound', { schema: { tags: ['outbound'] } }, async () => routing.config.outbound);
  app.put(
    '/outbound',
    { schema: { tags: ['outbound'], body: outboundSchema, response: { 200: versionResponse } } },
    async (request) =>
      change(request.author, 'put outbound settings', (config) => ({ ...config, outbound: request.body })),
  );
  app.get(
    '/outbound/policies',
    { schema: { tags: ['outbound'] } },
    async () => routing.config.outbound.policies,
  );
  app.put(
    '/outbound/policies/:id',
    {
      schema: {
        tags: ['outbound'],
        params: idParams,
        body: outboundPolicySchema.omit({ id: true }),
        response: { 200: versionResponse },
      },
    },
    async (request) => {
      const policy = { ...request.body, id: request.params.id };
      return change(request.author, `put outbound policy ${policy.id}`, (config) => ({
        ...config,
        outbound: { ...config.outbound, policies: upsertById(config.outbound.policies, policy) },
      }));
    },
  );
  app.delete(
    '/outbound/policies/:id',
    { schema: { tags: ['outbound'], params: idParams, response: { 200: versionResponse } } },
    async (request) =>
      change(request.author, `delete outbound policy ${request.params.id}`, (config) => ({
        ...config,
        outbound: {
          ...config.outbound,
          policies: removeFrom(
            config.outbound.policies,
            (policy) => policy.id === request.params.id,
            `policy ${request.params.id}`,
          ),
        },
      })),
  );
  app.put(
    '/outbound/trunks/:id',
    {
      schema: {
        tags: ['outbound'],
        params: idParams,
        body: trunkSchema.omit({ id: true }),
        response: { 200: versionResponse },
      },
    },
    async (request) => {
      const trunk = { ...request.body, id: request.params.id };
      return change(request.author, `put trunk ${trunk.id}`, (config) => ({
        ...config,
        outbound: { ...config.outbound, trunks: upsertById(config.outbound.trunks, trunk) },
      }));
    },
  );
  app.post(
    '/outbound/explain',
    {
      schema: {
        tags: ['outbound'],
        body: z
          .object({
            extension: z.string().regex(EXTENSION),
            dialled: z.string().regex(DIALLED),
          })
          .strict(),
      },
    },
    async (request) => {
      const { extension, dialled } = request.body;
      const snapshot = routing.snapshot;
      const verdict = classifyOutbound(snapshot, extension, dialled);
      const attempts = verdict.kind === 'external' ? verdict.trunks.length : 1;
      return {
        version: snapshot.version,
        extension,
        dialled,
        verdict,
        // Limits (calls per minute, concurrent calls) depend on live calls and are not applied here.
        attempts: Array.from({ length: attempts }, (_, attempt) =>
          decideOutbound(snapshot, extension, dialled, attempt),
        ),
      };
    },
  );
}
