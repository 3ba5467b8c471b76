import { z } from 'zod';
import { explainCall } from '../routing/explain.js';
import {
  extensionSchema,
  type RoutingConfig,
  routeSchema,
  scheduleSchema,
  settingsSchema,
} from '../routing/model.js';
import { applyChange, found, removeFrom, upsert, versionResponse } from './config-changes.js';
import type { AdminApiDeps, TypedApp } from './types.js';

/**
 * Routes, schedules, extensions and settings: read, create/replace, delete; history, diff,
 * rollback; explain. Every write validates the whole resulting document and stores it as a new
 * version; the running AGI server uses it from the next call on.
 */

const idParams = z.object({ id: z.string().min(1).max(64) });
const numberParams = z.object({ number: z.string().min(1).max(6) });

export const applyBodySchema = z
  .object({
    settings: settingsSchema.optional(),
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
  let next = { ...config, settings: body.settings ?? config.settings };
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
        body.remove ? 'removals' : '',
      ].filter(Boolean);
      return change(request, `apply ${parts.join(', ') || 'nothing'}`, (config) => applyBundle(config, body));
    },
  );

  // Routes
  app.get('/routes', { schema: { tags: ['routes'] } }, async () => routing.config.routes);
  app.get('/routes/:id', { schema: { tags: ['routes'], params: idParams } }, async (request) =>
    found(routing.snapshot.routesById.get(request.params.id), `route ${request.params.id}`),
  );
  app.put(
    '/routes/:id',
    {
      schema: {
        tags: ['routes'],
        params: idParams,
        body: routeSchema.omit({ id: true }),
        response: { 200: versionResponse },
      },
    },
    async (request) => {
      const route = { ...request.body, id: request.params.id };
      return change(request, `put route ${route.id}`, (config) => ({
        ...config,
        routes: upsert(config.routes, route, (r) => r.id === route.id),
      }));
    },
  );
  app.delete(
    '/routes/:id',
    { schema: { tags: ['routes'], params: idParams, response: { 200: versionResponse } } },
    async (request) =>
      change(request, `delete route ${request.params.id}`, (config) => ({
        ...config,
        routes: removeFrom(config.routes, (r) => r.id === request.params.id, `route ${request.params.id}`),
      })),
  );

  // Schedules
  app.get('/schedules', { schema: { tags: ['schedules'] } }, async () => routing.config.schedules);
  app.get('/schedules/:id', { schema: { tags: ['schedules'], params: idParams } }, async (request) =>
    found(routing.snapshot.schedules.get(request.params.id), `schedule ${request.params.id}`),
  );
  app.put(
    '/schedules/:id',
    {
      schema: {
        tags: ['schedules'],
        params: idParams,
        body: scheduleSchema.omit({ id: true }),
        response: { 200: versionResponse },
      },
    },
    async (request) => {
      const schedule = { ...request.body, id: request.params.id };
      return change(request, `put schedule ${schedule.id}`, (config) => ({
        ...config,
        schedules: upsert(config.schedules, schedule, (s) => s.id === schedule.id),
      }));
    },
  );
  app.delete(
    '/schedules/:id',
    { schema: { tags: ['schedules'], params: idParams, response: { 200: versionResponse } } },
    async (request) =>
      change(request, `delete schedule ${request.params.id}`, (config) => ({
        ...config,
        schedules: removeFrom(
          config.schedules,
          (s) => s.id === request.params.id,
          `schedule ${request.params.id}`,
        ),
      })),
  );

  // Extensions
  app.get('/extensions', { schema: { tags: ['extensions'] } }, async () => routing.config.extensions);
  app.get(
    '/extensions/:number',
    { schema: { tags: ['extensions'], params: numberParams } },
    async (request) =>
      found(routing.snapshot.extensions.get(request.params.number), `extension ${request.params.number}`),
  );
  app.put(
    '/extensions/:number',
    {
      schema: {
        tags: ['extensions'],
        params: numberParams,
        body: extensionSchema.omit({ number: true }),
        response: { 200: versionResponse },
      },
    },
    async (request) => {
      const extension = { ...request.body, number: request.params.number };
      return change(request, `put extension ${extension.number}`, (config) => ({
        ...config,
        extensions: upsert(config.extensions, extension, (e) => e.number === extension.number),
      }));
    },
  );
  app.delete(
    '/extensions/:number',
    { schema: { tags: ['extensions'], params: numberParams, response: { 200: versionResponse } } },
    async (request) =>
      change(request, `delete extension ${request.params.number}`, (config) => ({
        ...config,
        extensions: removeFrom(
          config.extensions,
          (e) => e.number === request.params.number,
          `extension ${request.params.number}`,
        ),
      })),
  );

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
      return { version: stored.version, summary: stored.summary };
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
