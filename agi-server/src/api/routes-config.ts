import { z } from 'zod';
import { explainCall } from '../routing/explain.js';
import {
  extensionSchema,
  outboundSchema,
  type RoutingConfig,
  routeSchema,
  scheduleSchema,
  settingsSchema,
} from '../routing/model.js';
import { registerCollection } from './collection-routes.js';
import { applyChange, upsert, versionResponse } from './config-changes.js';
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
    request: { author: string },
    summary: string,
    mutate: (config: RoutingConfig) => RoutingConfig,
  ) => applyChange(routing, request.author, summary, mutate);

  app.get('/config', { schema: { tags: ['config'] } }, async () => ({
    version: routing.snapshot.version,
    config: routing.config,
  }));

  app.post(
    '/apply',
    { schema: { tags: ['config'], body: applyBodySchema, response: { 200: versionResponse } } },
    async (request) => {
      const body = request.body;
      const parts = [
        body.routes?.length ? `${body.routes.length} route(s)` : '',
        body.schedules?.length ? `${body.schedules.length} schedule(s)` : '',
        body.extensions?.length ? `${body.extensions.length} extension(s)` : '',
        body.settings ? 'settings' : '',
        body.outbound ? 'outbound' : '',
        body.remove ? 'removals' : '',
      ].filter(Boolean);
      return change(request, `apply ${parts.join(', ') || 'nothing'}`, (config) => applyBundle(config, body));
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
        tags: ['versions'],
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(50) }),
      },
    },
    async (request) => routing.history(request.query.limit),
  );
  app.get(
    '/history/:version',
    { schema: { tags: ['versions'], params: z.object({ version: z.coerce.number().int().min(1) }) } },
    async (request) => routing.version(request.params.version),
  );
  app.get(
    '/diff',
    {
      schema: {
        tags: ['versions'],
        querystring: z.object({
          from: z.coerce.number().int().min(1),
          to: z.coerce.number().int().min(1).optional(),
        }),
      },
    },
    async (request) => routing.diff(request.query.from, request.query.to ?? routing.snapshot.version),
  );
  app.post(
    '/rollback',
    { schema: { tags: ['versions'], response: { 200: versionResponse } } },
    async (request) => {
      const stored = await routing.rollback(request.author);
      return { version: stored.version, summary: stored.summary, changed: stored.changed };
    },
  );

  app.post(
    '/explain',
    {
      schema: {
        tags: ['routes'],
        body: z
          .object({
            to: z.string().min(3).max(32),
            from: z.string().max(32).optional(),
            callerName: z.string().max(40).optional(),
            at: z.iso.datetime({ offset: true }).optional(),
          })
          .strict(),
      },
    },
    async (request) =>
      explainCall(
        routing.snapshot,
        { did: request.body.to, caller: request.body.from, callerName: request.body.callerName },
        request.body.at ? new Date(request.body.at) : deps.clock(),
      ),
  );
}
