import type { RouteOptions } from 'fastify';
import { z } from 'zod';

/**
 * The error bodies every route can answer (see errors.ts, which sends them), declared once and
 * added to every route's schema so the OpenAPI document lists them: clients generated from it
 * know a 400 carries `issues` with the path of each problem, and a 503 (store outage, sent by
 * errors.ts with `Retry-After`) is worth retrying.
 */

export const issuesResponse = z.array(z.object({ path: z.string(), message: z.string() }));

export const errorResponse = z
  .object({
    error: z.string(),
    issues: issuesResponse.optional(),
  })
  .describe('What went wrong; for bad input, each problem with its path');

const ERRORS = {
  400: errorResponse.describe('Invalid request or configuration: `issues` names each path at fault'),
  401: errorResponse.describe('Missing or invalid bearer token'),
  404: errorResponse.describe('No such route, schedule, extension, version or call'),
  409: errorResponse.describe('Another server stored a version first: read again and retry'),
  500: errorResponse.describe('Internal error (logged on the server)'),
  503: errorResponse.describe(
    'The store is unavailable (database down or locked): retry after `Retry-After` seconds. Calls keep routing on the last routing version.',
  ),
} as const;

/**
 * fastify `onRoute` hook: every route documented with an operation id, a summary and the error
 * responses. A route added without an id or summary stops start-up, so the docs cannot drift.
 */
export function documentRoute(route: RouteOptions): void {
  const schema = route.schema as (Record<string, unknown> & { hide?: boolean }) | undefined;
  if (!schema || schema.hide) return;
  if (typeof schema.operationId !== 'string' || typeof schema.summary !== 'string')
    throw new Error(`route ${route.method} ${route.url} needs an operationId and a summary`);
  const isPublic = Array.isArray(schema.security) && schema.security.length === 0;
  const { 401: unauthorized, ...rest } = ERRORS;
  schema.response = {
    ...(isPublic ? rest : { ...rest, 401: unauthorized }),
    ...(schema.response as Record<string, unknown> | undefined),
  };
}
