import { DIALLED, EXTENSION } from '@switchboard/contract';
import { z } from 'zod';
import type { ChangeAuthor } from '../config-service/routing-service.js';
import type { RoutingConfig } from '../routing/model.js';
import { classifyOutbound } from '../routing/outbound.js';
import { decisionFor } from '../routing/outbound-decision.js';
import { outboundPolicySchema, outboundSchema, trunkSchema } from '../routing/outbound-model.js';
import { registerCollection } from './collection-routes.js';
import { applyChange, versionResponse } from './config-changes.js';
import type { AdminApiDeps, TypedApp } from './types.js';

/**
 * Outbound policy objects: the whole outbound section, one policy or trunk at a time, and
 * explain (what would be dialled, with which caller ID, through which trunks, or why not).
 */

export function registerOutboundRoutes(app: TypedApp, deps: AdminApiDeps): void {
  const { routing } = deps;
  const change = (author: ChangeAuthor, summary: string, mutate: (config: RoutingConfig) => RoutingConfig) =>
    applyChange(routing, author, summary, mutate);

  app.get(
    '/outbound',
    {
      schema: {
        operationId: 'getOutbound',
        summary: 'Outbound settings: owned numbers, trunks, policies',
        tags: ['outbound'],
      },
    },
    async () => routing.config.outbound,
  );
  app.put(
    '/outbound',
    {
      schema: {
        operationId: 'putOutbound',
        summary: 'Replace the outbound settings',
        tags: ['outbound'],
        body: outboundSchema,
        response: { 200: versionResponse },
      },
    },
    async (request) =>
      change(request.author, 'put outbound settings', (config) => ({ ...config, outbound: request.body })),
  );
  const id = z.string().min(1).max(64);
  registerCollection(app, deps, {
    path: '/outbound/policies',
    tag: 'outbound',
    noun: 'outbound policy',
    plural: 'outbound policies',
    key: 'id',
    keySchema: id,
    body: outboundPolicySchema.omit({ id: true }),
    list: (config) => config.outbound.policies,
    keyOf: (policy) => policy.id,
    replace: (config, policies) => ({ ...config, outbound: { ...config.outbound, policies } }),
  });
  // Deleting a trunk that a policy or emergencyTrunks still names fails the document's validation.
  registerCollection(app, deps, {
    path: '/outbound/trunks',
    tag: 'outbound',
    noun: 'trunk',
    key: 'id',
    keySchema: id,
    body: trunkSchema.omit({ id: true }),
    list: (config) => config.outbound.trunks,
    keyOf: (trunk) => trunk.id,
    replace: (config, trunks) => ({ ...config, outbound: { ...config.outbound, trunks } }),
  });
  app.post(
    '/outbound/explain',
    {
      schema: {
        operationId: 'explainOutbound',
        summary: 'What dialling a number from an extension would do, or why not',
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
        attempts: Array.from({ length: attempts }, (_, attempt) => decisionFor(snapshot, verdict, attempt)),
      };
    },
  );
}
