import fastifySwagger from '@fastify/swagger';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { authenticate } from './auth.js';
import { unsupportedBody } from './body-encoding.js';
import { handleApiError } from './errors.js';
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

const PUBLIC_PATHS = new Set(['/health', '/openapi.json']);

/** The admin API (fastify): schemas at the edge, types derived from them, bearer-token auth. */
export async function buildAdminApi(deps: AdminApiDeps): Promise<FastifyInstance> {
  const apiLogger: FastifyBaseLogger = deps.logger.child({ component: 'admin-api' });
  const app = Fastify({ loggerInstance: apiLogger, disableRequestLogging: true });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(handleApiError);
  await app.register(fastifySwagger, {
    openapi: {
      info: { title: 'Switchboard admin API', version: '1' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });

  app.decorateRequest('author', '');
  app.addHook('onRequest', async (request, reply) => {
    const unsupported = unsupportedBody(request.headers);
    if (unsupported) return reply.code(415).send({ error: unsupported });
  });
  app.addHook('onRequest', async (request, reply) => {
    if (PUBLIC_PATHS.has(request.url.split('?')[0] ?? '')) return;
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
  await app.ready();
  return app;
}
