import type { IncomingHttpHeaders } from 'node:http';

/**
 * The admin API reads JSON in UTF-8, uncompressed. Fastify would otherwise ignore a
 * Content-Encoding (and fail on the compressed bytes with a misleading 400) and accept any
 * charset parameter while decoding as UTF-8; both are refused up front with 415 instead.
 * Returns why the body is unsupported, or undefined.
 */
export function unsupportedBody(headers: IncomingHttpHeaders): string | undefined {
  const encoding = headers['content-encoding'];
  if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity')
    return 'Content-Encoding is not supported: send the body uncompressed';
  const charset = /;\s*charset\s*=\s*"?([^";\s]*)/i.exec(headers['content-type'] ?? '')?.[1];
  if (charset !== undefined && !/^utf-?8$/i.test(charset)) return 'only charset=utf-8 is supported';
  return undefined;
}
