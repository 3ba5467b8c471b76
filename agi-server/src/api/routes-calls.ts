import { toE164 } from '@switchboard/contract';
import { z } from 'zod';
import { NotFoundError } from '../config-service/routing-service.js';
import { timeZoneOfRoute } from '../routing/snapshot.js';
import { DISPOSITIONS } from '../store/types.js';
import type { AdminApiDeps, TypedApp } from './types.js';

/** The call log: list with filters, one call with its steps. */
export function registerCallRoutes(app: TypedApp, deps: AdminApiDeps): void {
  app.get(
    '/calls',
    {
      schema: {
        operationId: 'listCalls',
        summary: 'The call log, newest first, with filters',
        tags: ['calls'],
        querystring: z.object({
          did: z.string().max(32).optional(),
          caller: z.string().max(32).optional(),
          disposition: z.enum(DISPOSITIONS).optional(),
          since: z.iso.datetime({ offset: true }).optional(),
          until: z.iso.datetime({ offset: true }).optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
        }),
      },
    },
    async (request) => {
      const { since, until, did, ...rest } = request.query;
      // The log keeps DIDs in E.164: `9863334949` finds the same rows as `+19863334949`.
      const e164 = did === undefined ? undefined : toE164(did, deps.routing.config.settings.defaultCountry);
      return deps.store.listCalls({
        ...rest,
        ...(did !== undefined ? { did: e164 ?? did } : {}),
        ...(since ? { since: new Date(since).toISOString() } : {}),
        ...(until ? { until: new Date(until).toISOString() } : {}),
      });
    },
  );
  app.get(
    '/calls/:linkedId',
    {
      schema: {
        operationId: 'getCall',
        summary: 'One call with its timeline',
        tags: ['calls'],
        params: z.object({ linkedId: z.string().min(1).max(64) }),
      },
    },
    async (request) => {
      const call = await deps.store.getCall(request.params.linkedId);
      if (!call) throw new NotFoundError(`no call ${request.params.linkedId}`);
      // Times are read on the route's schedule clock (the zone its hours are written in).
      return { ...call, timeZone: timeZoneOfRoute(deps.routing.snapshot, call.routeId) };
    },
  );
}
