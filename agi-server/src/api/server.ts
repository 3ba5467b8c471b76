import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { authenticate } from './auth.js';
import { unsupportedBody } from './body-encoding.js';
import { registerConsole } from './console.js';
import { documentRoute } from './error-responses.js';
import { handleApiError } from './errors.js';
import { metricsAllowed } from './metrics-access.js';
import { registerCallRoutes } from './routes-calls.js';
import { registerConfigRoutes } from './routes-config.js';
import { registerOpsRoutes } from './routes-ops.js';
import { registerOutboundRoutes } from './routes-outbound.js';
import type { AdminApiDeps } from './types.js';

export type { AdminApiDeps, TypedApp } from './types.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is making the change: the X-Switchboard-Author header, else the token's name. */
    author: string;
  }
}

/**
 * No bearer token needed: health checks, the API's own description and docs page, and the
 * console's static files (the console then calls the API with the token the operator signs in
 * with). /metrics has its own check.
 */
const PUBLIC_PATHS = new Set(['/', '/health', '/openapi.json', '/metrics']);
const PUBLIC_PREFIXES = ['/docs', '/console/'];

function isPublic(url: string): boolean {
  const path = url.split('?')[0] ?? '';
  return PUBLIC_PATHS.has(path) || PUBLIC_PREFIXES.some((prefix) => path.startsWith(prefix));
}

/** The admin API (fastify): schemas at the edge, types derived from them, bearer-token auth. */
export async function buildAdminApi(deps: AdminApiDeps): Promise<FastifyInstance> {
  const apiLogger: FastifyBaseLogger = deps.logger.child({ component: 'admin-api' });
  // No per-request log lines (fastify 5.12's logController; its top-level disableRequestLogging
  // is deprecated and printed a warning at every start).
  const app = Fastify({
    loggerInstance: apiLogger,
    logController: new LogController({ disableRequestLogging: true }),
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(handleApiError);
  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'Switchboard admin API',
        version: '1',
        description:
          'Routes, schedules, extensions and outbound policies as one versioned document; the call log; explain. Send `Authorization: Bearer <token>`.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'The admin token' },
          metrics: {
            type: 'http',
            scheme: 'bearer',
            description: 'SB_METRICS_TOKEN: scrapes /metrics only (not needed on loopback)',
          },
        },
      },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs', staticCSP: true });
  app.addHook('onRoute', documentRoute);

  app.decorateRequest('author', '');
  app.addHook('onRequest', async (request, reply) => {
    const unsupported = unsupportedBody(request.headers);
    if (unsupported) return reply.code(415).send({ error: unsupported });
  });
  app.addHook('onRequest', async (request, reply) => {
    if (request.url.split('?')[0] === '/metrics') {
      if (metricsAllowed(deps.metricsAccess, request.headers.authorization)) return;
      return reply.code(401).header('www-authenticate', 'Bearer').send({ error: deps.metricsAccess.refusal });
    }
    if (isPublic(request.url)) return;
    const tokenName = await authenticate(deps.store, request.headers.authorization);
    if (!tokenName)
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send({ error: 'missing or invalid bearer token' });
    const author = request.headers['x-switchboard-author'];
    request.author = typeof author === 'string' && /^[\w.@ -]{1,64}$/.test(author) ? author : tokenName;
  });

  const typed = app.withTypeProvider<ZodTypeProvider>();
  registerOpsRoutes(typed, deps);
  registerConfigRoutes(typed, deps);
  registerCallRoutes(typed, deps);
  registerOutboundRoutes(typed, deps);
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await registerConsole(app);
  await app.ready();
  return app;
}
