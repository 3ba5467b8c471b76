import { z } from 'zod';
import { NotFoundError } from '../config-service/routing-service.js';
import { timeZoneOfRoute } from '../routing/snapshot.js';
import { DISPOSITIONS } from '../store/types.js';
import { logWindow, logWindowQuery, numberFilter } from './log-query.js';
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
          ...logWindowQuery,
        }),
      },
    },
    async (request) => {
      const { since, until, did, ...rest } = request.query;
      const e164 = numberFilter(did, deps.routing.config.settings.defaultCountry);
      return deps.store.listCalls({
        ...rest,
        ...(e164 !== undefined ? { did: e164 } : {}),
        ...logWindow({ since, until }),
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
