import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/**
 * The operator console: static ES modules in agi-server/console, served as they are (no build
 * step), plus preact, its hooks and htm straight from their installed npm packages, named in the
 * page's import map. The console is a client of this same API with the same bearer token: one
 * source of truth, nothing the console can do that the API and CLI cannot.
 */

const CONSOLE_DIR = fileURLToPath(new URL('../../console', import.meta.url));
const require = createRequire(import.meta.url);

/**
 * The folder of a module's built files, found the way Node finds it (a workspace or a flat
 * install alike); the ES module build sits beside the CommonJS entry in each of these packages.
 */
function distDir(specifier: string): string {
  return dirname(require.resolve(specifier));
}

const VENDOR = [
  { prefix: '/console/vendor/preact/', root: distDir('preact') },
  { prefix: '/console/vendor/preact-hooks/', root: distDir('preact/hooks') },
  { prefix: '/console/vendor/htm/', root: distDir('htm') },
];

/**
 * The page may run only its own files and its inline import map (by hash), talk only to this
 * server, and not be framed by another site. Inline style attributes stay allowed: preact sets
 * the chart's colours with them.
 */
function contentSecurityPolicy(): string {
  const page = readFileSync(join(CONSOLE_DIR, 'index.html'), 'utf8');
  const importMap = /<script type="importmap">([\s\S]*?)<\/script>/.exec(page)?.[1] ?? '';
  const hash = createHash('sha256').update(importMap).digest('base64');
  return [
    "default-src 'self'",
    `script-src 'self' 'sha256-${hash}'`,
    "style-src 'self' 'unsafe-inline'",
    "connect-src 'self'",
    "img-src 'self' data:",
    // A call's recording plays from a blob: URL (fetched with the token: docs/recording.md).
    "media-src 'self' blob:",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

export async function registerConsole(app: FastifyInstance): Promise<void> {
  const csp = contentSecurityPolicy();
  await app.register(fastifyStatic, {
    root: CONSOLE_DIR,
    prefix: '/console/',
    index: 'index.html',
    setHeaders: (reply) => {
      reply.header('content-security-policy', csp);
      reply.header('x-content-type-options', 'nosniff');
    },
  });
  for (const vendor of VENDOR) {
    // Only the ES module builds are named in the import map; nothing else is listed.
    await app.register(fastifyStatic, {
      root: vendor.root,
      prefix: vendor.prefix,
      decorateReply: false,
      allowedPath: (path) => path.endsWith('.mjs'),
      // The same headers as the console's own files: these modules run in the same page.
      setHeaders: (reply) => {
        reply.header('content-security-policy', csp);
        reply.header('x-content-type-options', 'nosniff');
      },
    });
  }
  app.get('/', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/console/'));
}
