import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { Counter } from 'prom-client';
import type { ChangeAuthor } from '../config-service/routing-service.js';
import { authenticate } from './auth.js';
import { AuthThrottle } from './auth-throttle.js';
import { unsupportedBody } from './body-encoding.js';
import { registerConsole } from './console.js';
import { documentRoute } from './error-responses.js';
import { handleApiError } from './errors.js';
import { metricsAllowed } from './metrics-access.js';
import { registerBlocklistRoutes } from './routes-blocklist.js';
import { registerCallRoutes } from './routes-calls.js';
import { registerConfigRoutes } from './routes-config.js';
import { registerMessageRoutes } from './routes-messages.js';
import { registerOpsRoutes } from './routes-ops.js';
import { registerOutboundRoutes } from './routes-outbound.js';
import { registerRecordingRoutes } from './routes-recordings.js';
import { registerSoundRoutes } from './routes-sounds.js';
import { registerVoicemailRoutes } from './routes-voicemail.js';
import type { AdminApiDeps } from './types.js';

export type { AdminApiDeps, TypedApp } from './types.js';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * Who is making the change: the X-Switchboard-Author header (a display name), else the
     * token's name; and always which token it was (`name#hash-prefix`, api/auth.ts).
     */
    author: ChangeAuthor;
  }
}

/**
 * No bearer token needed: health checks, the API's own description and docs page, and the
 * console's static files (the console then calls the API with the token the operator signs in
 * with). /metrics has its own check.
 */
// /inbound-message carries its own HMAC (routes-messages.ts).
const PUBLIC_PATHS = new Set([
  '/',
  '/health',
  '/openapi.json',
  '/metrics',
  '/inbound-message',
  '/message-status',
  // An edge voicemail carries its own HMAC (routes-voicemail.ts).
  '/edge-voicemail',
]);
const PUBLIC_PREFIXES = ['/docs', '/console/'];

function isPublic(url: string): boolean {
  const path = url.split('?')[0] ?? '';
  return PUBLIC_PATHS.has(path) || PUBLIC_PREFIXES.some((prefix) => path.startsWith(prefix));
}

/** Static files (console, API docs page): their plugins set their own caching headers. */
function isStaticFile(url: string): boolean {
  return ['/docs', '/console/'].some((prefix) => url.startsWith(prefix));
}

/** Source addresses tracked by the wrong-token throttle at most (a few MB at worst). */
const THROTTLE_MAX_SOURCES = 10_000;

/** The admin API (fastify): schemas at the edge, types derived from them, bearer-token auth. */
export async function buildAdminApi(deps: AdminApiDeps): Promise<FastifyInstance> {
  const apiLogger: FastifyBaseLogger = deps.logger.child({ component: 'admin-api' });
  const { limits } = deps;
  const app = Fastify({
    loggerInstance: apiLogger,
    // No per-request log lines (fastify 5.12's logController; its top-level disableRequestLogging
    // is deprecated and printed a warning at every start).
    logController: new LogController({ disableRequestLogging: true }),
    // Slow clients (a request trickled byte by byte, a connection left open) are cut off: Node
    // answers 408 past the headers or request bound. Node checks those bounds on a timer whose
    // default period (30 s) would make a short bound meaningless, so it runs at least every second.
    connectionTimeout: limits.connectionTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    http: {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(limits.headersTimeoutMs / 2))),
    },
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

  app.decorateRequest('author');
  // Every answer: no MIME sniffing; live answers (everything but static files) never cached, so
  // a token-protected body is not kept by a browser or proxy cache.
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    if (!isStaticFile(request.url)) reply.header('cache-control', 'no-store');
    return payload;
  });
  const throttle = new AuthThrottle({
    maxFailures: limits.authMaxFailures,
    windowMs: limits.authWindowMs,
    maxSources: THROTTLE_MAX_SOURCES,
  });
  const authFailures = new Counter({
    name: 'switchboard_api_auth_failures_total',
    help: 'Admin API requests with a missing or wrong bearer token, by result (refused: 401; throttled: 429, not checked)',
    labelNames: ['result'] as const,
    registers: [deps.metrics.registry],
  });
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
    const now = deps.clock().getTime();
    const source = request.ip;
    const path = request.url.split('?')[0];
    const wait = throttle.blockedFor(source, now);
    if (wait > 0) {
      // Not checked, not logged again (the block was logged once): the guess learns nothing.
      authFailures.inc({ result: 'throttled' });
      return reply
        .code(429)
        .header('retry-after', String(Math.ceil(wait / 1000)))
        .send({ error: 'too many invalid bearer tokens from this address: retry later' });
    }
    const identity = await authenticate(deps.store, request.headers.authorization);
    if (typeof identity === 'string') {
      const verdict = throttle.fail(source, now);
      authFailures.inc({ result: 'refused' });
      // Never the token: the address, what was asked and why it was refused.
      request.log.warn(
        { source, method: request.method, path, reason: identity, failures: verdict.failures },
        'admin API: bearer token refused',
      );
      if (verdict.nowBlocked)
        request.log.warn(
          { source, failures: verdict.failures, blockedMs: throttle.blockedFor(source, now) },
          'admin API: too many invalid bearer tokens from one address; answering it 429 until its window ends',
        );
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send({ error: 'missing or invalid bearer token' });
    }
    throttle.succeed(source);
    const author = request.headers['x-switchboard-author'];
    request.author = {
      author: typeof author === 'string' && /^[\w.@ -]{1,64}$/.test(author) ? author : identity.name,
      authorToken: identity.id,
    };
  });

  const typed = app.withTypeProvider<ZodTypeProvider>();
  registerOpsRoutes(typed, deps);
  registerConfigRoutes(typed, deps);
  registerCallRoutes(typed, deps);
  registerOutboundRoutes(typed, deps);
  registerMessageRoutes(typed, deps);
  registerBlocklistRoutes(typed, deps);
  registerSoundRoutes(typed, deps);
  registerRecordingRoutes(typed, deps);
  registerVoicemailRoutes(typed, deps);
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await registerConsole(app);
  await app.ready();
  return app;
}
