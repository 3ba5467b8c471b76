import { z } from 'zod';
import { healthReportSchema } from './health.js';
import type { AdminApiDeps, TypedApp } from './types.js';

/** /health (no auth: for load balancers and monitors) and /metrics (Prometheus text). */
export function registerOpsRoutes(app: TypedApp, deps: AdminApiDeps): void {
  app.get(
    '/health',
    {
      schema: {
        operationId: 'getHealth',
        summary: 'Liveness: the routing version in use and AGI sessions in progress',
        tags: ['ops'],
        security: [],
        response: {
          200: healthReportSchema.extend({ version: z.number() }),
          503: healthReportSchema.extend({ version: z.number() }),
        },
      },
    },
    async (_request, reply) => {
      const report = { version: deps.routing.snapshot.version, ...deps.health() };
      // 503 so that plain HTTP checks notice too; the body says what is wrong.
      return reply.code(report.status === 'ok' ? 200 : 503).send(report);
    },
  );

  app.get(
    '/metrics',
    {
      schema: {
        operationId: 'getMetrics',
        summary: 'Prometheus metrics (text exposition format)',
        description:
          'Open while the API listens on loopback only; otherwise send SB_METRICS_TOKEN as a bearer token (never the admin token).',
        tags: ['ops'],
        security: [{ metrics: [] }],
        produces: ['text/plain'],
      },
    },
    async (_request, reply) => {
      deps.metrics.configVersion.set(deps.routing.snapshot.version);
      return reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
    },
  );
}
