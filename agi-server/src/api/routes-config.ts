import { toE164 } from '@switchboard/contract';
import { stringify } from 'yaml';
import { z } from 'zod';
import type { ChangeAuthor } from '../config-service/routing-service.js';
import { blocklistSchema } from '../routing/blocklist-model.js';
import { explainCall } from '../routing/explain.js';
import { messagingSchema } from '../routing/messaging-model.js';
import {
  extensionSchema,
  notAPhoneNumber,
  type RoutingConfig,
  routeSchema,
  scheduleSchema,
  settingsSchema,
} from '../routing/model.js';
import { outboundSchema } from '../routing/outbound-model.js';
import { recordingSchema } from '../routing/recording-model.js';
import { instantFromWallTime, isWallTime } from '../routing/schedule.js';
import { chooseRoute } from '../routing/select-route.js';
import { timeZoneOfRoute } from '../routing/snapshot.js';
import { registerCollection } from './collection-routes.js';
import { applyChange, upsert, versionResponse } from './config-changes.js';
import { issuesResponse } from './error-responses.js';
import { InvalidRequestError } from './errors.js';
import type { AdminApiDeps, TypedApp } from './types.js';

/**
 * Routes, schedules, extensions and settings: read, create/replace, delete; history, diff,
 * rollback; explain. Every write validates the whole resulting document and stores it as a new
 * version; the running AGI server uses it from the next call on.
 */

export const applyBodySchema = z
  .object({
    settings: settingsSchema.optional(),
    /** The whole outbound section (trunks, policies, numbers), replacing the stored one. */
    outbound: outboundSchema.optional(),
    /** The whole messaging section (SMS numbers, which extensions a DID's texts go to), replacing the stored one. */
    messaging: messagingSchema.optional(),
    /** The whole blocklist section, replacing the stored one. */
    blocklist: blocklistSchema.optional(),
    /** The whole recording section (rules, announcement, retention), replacing the stored one. */
    recording: recordingSchema.optional(),
    extensions: z.array(extensionSchema).optional(),
    schedules: z.array(scheduleSchema).optional(),
    routes: z.array(routeSchema).optional(),
    remove: z
      .object({
        routes: z.array(z.string()).default([]),
        schedules: z.array(z.string()).default([]),
        extensions: z.array(z.string()).default([]),
      })
      .strict()
      .optional(),
  })
  .strict();
export type ApplyBody = z.infer<typeof applyBodySchema>;

/** Merges a bundle (a CLI `apply` file) into the document: upsert by id, then removals. */
export function applyBundle(config: RoutingConfig, body: ApplyBody): RoutingConfig {
  let next = {
    ...config,
    settings: body.settings ?? config.settings,
    outbound: body.outbound ?? config.outbound,
    messaging: body.messaging ?? config.messaging,
    blocklist: body.blocklist ?? config.blocklist,
    recording: body.recording ?? config.recording,
  };
  for (const extension of body.extensions ?? []) {
    next = { ...next, extensions: upsert(next.extensions, extension, (e) => e.number === extension.number) };
  }
  for (const schedule of body.schedules ?? []) {
    next = { ...next, schedules: upsert(next.schedules, schedule, (s) => s.id === schedule.id) };
  }
  for (const route of body.routes ?? []) {
    next = { ...next, routes: upsert(next.routes, route, (r) => r.id === route.id) };
  }
  const remove = body.remove;
  if (remove) {
    next = {
      ...next,
      routes: next.routes.filter((route) => !remove.routes.includes(route.id)),
      schedules: next.schedules.filter((schedule) => !remove.schedules.includes(schedule.id)),
      extensions: next.extensions.filter((extension) => !remove.extensions.includes(extension.number)),
    };
  }
  return next;
}

export function registerConfigRoutes(app: TypedApp, deps: AdminApiDeps): void {
  const { routing } = deps;
  const change = (
    request: { author: ChangeAuthor },
    summary: string,
    mutate: (config: RoutingConfig) => RoutingConfig,
  ) => applyChange(routing, request.author, summary, mutate);

  app.get(
    '/config',
    {
      schema: {
        operationId: 'getConfig',
        summary: 'The whole routing document in use, with its version',
        tags: ['config'],
      },
    },
    async () => ({
      version: routing.snapshot.version,
      config: routing.config,
    }),
  );

  const reviewResponse = z.object({
    basedOn: z.number(),
    valid: z.boolean(),
    issues: issuesResponse,
    changes: z.array(
      z.object({
        path: z.string(),
        kind: z.enum(['added', 'removed', 'changed']),
        before: z.unknown().optional(),
        after: z.unknown().optional(),
      }),
    ),
  });

  app.post(
    '/apply',
    {
      schema: {
        operationId: 'applyBundle',
        summary:
          'Create or replace routes, schedules, extensions, settings and outbound as one version; with dryRun, review the field-level changes and validation without storing a version',
        tags: ['config'],
        querystring: z.object({ dryRun: z.stringbool().default(false) }),
        body: applyBodySchema,
        response: { 200: z.union([versionResponse, reviewResponse]) },
      },
    },
    async (request) => {
      const body = request.body;
      if (request.query.dryRun) return routing.review((config) => applyBundle(config, body));
      const parts = [
        body.routes?.length ? `${body.routes.length} route(s)` : '',
        body.schedules?.length ? `${body.schedules.length} schedule(s)` : '',
        body.extensions?.length ? `${body.extensions.length} extension(s)` : '',
        body.settings ? 'settings' : '',
        body.outbound ? 'outbound' : '',
        body.messaging ? 'messaging' : '',
        body.blocklist ? 'blocklist' : '',
        body.recording ? 'recording' : '',
        body.remove ? 'removals' : '',
      ].filter(Boolean);
      return change(request, `apply ${parts.join(', ') || 'nothing'}`, (config) => applyBundle(config, body));
    },
  );

  app.get(
    '/export',
    {
      schema: {
        operationId: 'exportConfig',
        summary: 'The whole routing document as YAML that /apply takes back unchanged',
        tags: ['config'],
      },
    },
    async (_request, reply) => {
      const { version, config } = routing.snapshot;
      const head = `# Switchboard routing document, version ${version}. Review: switchboard routes apply --dry-run FILE\n`;
      return reply.type('application/yaml; charset=utf-8').send(head + stringify(config));
    },
  );

  const id = z.string().min(1).max(64);
  registerCollection(app, deps, {
    path: '/routes',
    tag: 'routes',
    noun: 'route',
    key: 'id',
    keySchema: id,
    body: routeSchema.omit({ id: true }),
    list: (config) => config.routes,
    keyOf: (route) => route.id,
    replace: (config, routes) => ({ ...config, routes }),
    lookup: (key) => routing.snapshot.routesById.get(key),
  });
  registerCollection(app, deps, {
    path: '/schedules',
    tag: 'schedules',
    noun: 'schedule',
    key: 'id',
    keySchema: id,
    body: scheduleSchema.omit({ id: true }),
    list: (config) => config.schedules,
    keyOf: (schedule) => schedule.id,
    replace: (config, schedules) => ({ ...config, schedules }),
    lookup: (key) => routing.snapshot.schedules.get(key),
  });
  registerCollection(app, deps, {
    path: '/extensions',
    tag: 'extensions',
    noun: 'extension',
    key: 'number',
    keySchema: z.string().min(1).max(6),
    body: extensionSchema.omit({ number: true }),
    list: (config) => config.extensions,
    keyOf: (extension) => extension.number,
    replace: (config, extensions) => ({ ...config, extensions }),
    lookup: (key) => routing.snapshot.extensions.get(key),
  });

  // Versions
  app.get(
    '/history',
    {
      schema: {
        operationId: 'listVersions',
        summary: 'Versions of the routing document, newest first, with author and time',
        tags: ['versions'],
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(50) }),
      },
    },
    async (request) => routing.history(request.query.limit),
  );
  app.get(
    '/history/:version',
    {
      schema: {
        operationId: 'getVersion',
        summary: 'One version of the routing document',
        tags: ['versions'],
        params: z.object({ version: z.coerce.number().int().min(1) }),
      },
    },
    async (request) => routing.version(request.params.version),
  );
  app.get(
    '/diff',
    {
      schema: {
        operationId: 'diffVersions',
        summary: 'Field-level differences between two versions',
        tags: ['versions'],
        querystring: z.object({
          from: z.coerce.number().int().min(1),
          to: z.coerce.number().int().min(1).optional(),
        }),
      },
    },
    async (request) => {
      const to = request.query.to ?? routing.snapshot.version;
      return { from: request.query.from, to, changes: await routing.diff(request.query.from, to) };
    },
  );
  app.post(
    '/rollback',
    {
      schema: {
        operationId: 'rollback',
        summary: "Store an earlier version's document again as a new version",
        tags: ['versions'],
        body: z
          .object({
            to: z.number().int().min(1).optional().describe('default: the version before the current'),
          })
          .strict()
          .nullish(),
        response: { 200: versionResponse },
      },
    },
    async (request) => {
      const stored = await routing.rollback(request.author, request.body?.to);
      return { version: stored.version, summary: stored.summary, changed: stored.changed };
    },
  );

  app.post(
    '/explain',
    {
      schema: {
        operationId: 'explainCall',
        summary: 'What a call to a DID from a caller at an instant would do, and why',
        tags: ['routes'],
        body: z
          .object({
            to: z.string().min(3).max(32),
            from: z.string().max(32).optional(),
            callerName: z.string().max(40).optional(),
            at: z
              .union([z.iso.datetime({ offset: true }), z.string().refine(isWallTime)], {
                error:
                  'an ISO time with offset (2026-12-25T10:00:00-06:00) or a time on the schedule clock (2026-12-25T10:00)',
              })
              .optional()
              .describe("an instant, or a wall time (no offset) read on the route's schedule clock"),
          })
          .strict(),
      },
    },
    async (request) => {
      const snapshot = routing.snapshot;
      const { to, from, callerName, at } = request.body;
      const did = toE164(to, snapshot.config.settings.defaultCountry);
      // The store's own message for a number no route could take, not a quiet "no route".
      if (!did) throw new InvalidRequestError([{ path: 'body.to', message: notAPhoneNumber(to) }]);
      const zone = timeZoneOfRoute(snapshot, chooseRoute(snapshot, { did, caller: from }).route?.id) ?? 'UTC';
      const instant = !at ? deps.clock() : isWallTime(at) ? instantFromWallTime(at, zone) : new Date(at);
      return explainCall(snapshot, { did: to, caller: from, callerName }, instant ?? deps.clock());
    },
  );
}
