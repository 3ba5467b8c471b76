import { z } from 'zod';
import type { AdminApiDeps, TypedApp } from './types.js';

/** /health (no auth: for load balancers) and /metrics (Prometheus text). */
export function registerOpsRoutes(app: TypedApp, deps: AdminApiDeps): void {
  app.get(
    '/health',
    {
      schema: {
        security: [],
        response: {
          200: z.object({ status: z.literal('ok'), version: z.number(), activeSessions: z.number() }),
        },
      },
    },
    async () => ({ status: 'ok' as const, version: deps.routing.snapshot.version, ...deps.health() }),
  );

  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    deps.metrics.configVersion.set(deps.routing.snapshot.version);
    return reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
}
