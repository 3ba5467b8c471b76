import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { makeTestCertificates, type TestCertificates } from './certificates.js';

/**
 * Twilio's cloud on loopback, for tests (docs/twilio.md, "The emulator"). The `twilio` library in
 * the server child reaches `https://api.twilio.com` as in production; it does so through the proxy
 * in upper-case HTTP_PROXY (the only proxy setting it reads), so this process is that proxy: it
 * accepts `CONNECT api.twilio.com:443`, terminates TLS there with a certificate from a CA made at
 * run time (trusted through NODE_EXTRA_CA_CERTS), checks Basic auth as Twilio does, records every
 * request and answers from the routes the APIs registered (messages-api.ts, and more APIs in files
 * of their own). Any other host is refused: a test never reaches the real network.
 */

export interface TwilioCredentials {
  readonly accountSid: string;
  readonly authToken: string;
}

export interface CloudRequest {
  readonly method: string;
  /** Path without the query. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly host: string;
  readonly headers: IncomingMessage['headers'];
  /** The form fields of a POST (application/x-www-form-urlencoded), repeated names as arrays. */
  readonly form: Readonly<Record<string, string | string[]>>;
  readonly rawBody: Buffer;
  /** The Basic auth user, when the request carried one. */
  readonly username: string | undefined;
  /** True when the Basic auth matched the account (the route may still check the path's Sid). */
  readonly authenticated: boolean;
  /** The named groups of the route's pattern. */
  readonly params: Readonly<Record<string, string>>;
}

export interface CloudReply {
  readonly status: number;
  readonly json?: unknown;
  readonly body?: Buffer | string;
  readonly headers?: Readonly<Record<string, string>>;
}

export type CloudHandler = (request: CloudRequest) => CloudReply | Promise<CloudReply>;

/** What an API file gets to register its routes with. */
export interface CloudRoutes {
  readonly credentials: TwilioCredentials;
  /** `pattern` matches the path (anchor it); its named groups become `params`. */
  route(method: string, pattern: RegExp, handler: CloudHandler, host?: string): void;
}

/** An API of the emulator (Messages, Recordings…): registers routes, may keep its own state. */
export type CloudApi = (routes: CloudRoutes) => void;

export interface RecordedRequest extends Omit<CloudRequest, 'params'> {
  readonly status: number;
}

export interface TwilioCloud {
  /** `http://127.0.0.1:PORT`: what HTTP_PROXY says. */
  readonly proxyUrl: string;
  readonly caFile: string;
  /** What the server child's environment needs: HTTP_PROXY and NODE_EXTRA_CA_CERTS. */
  readonly env: Readonly<Record<string, string>>;
  /** Every request that reached the emulator, in order (refused CONNECTs are in `refusedHosts`). */
  readonly requests: RecordedRequest[];
  /** `host:port` of CONNECTs to hosts the emulator does not serve. */
  readonly refusedHosts: string[];
  close(): Promise<void>;
}

/** Twilio's error body (https://www.twilio.com/docs/errors): what every API answers on failure. */
export function twilioError(status: number, code: number, message: string): CloudReply {
  return {
    status,
    json: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status },
  };
}

interface Route {
  readonly method: string;
  readonly pattern: RegExp;
  readonly handler: CloudHandler;
  readonly host: string;
}

export const API_HOST = 'api.twilio.com';

function parseForm(contentType: string | undefined, body: Buffer): Record<string, string | string[]> {
  if (!contentType?.startsWith('application/x-www-form-urlencoded')) return {};
  const form: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(body.toString('utf8'))) {
    const seen = form[name];
    form[name] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return form;
}

function basicAuth(header: string | undefined): { user: string; password: string } | undefined {
  const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header ?? '');
  if (!match?.[1]) return undefined;
  const text = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = text.indexOf(':');
  return colon < 0 ? undefined : { user: text.slice(0, colon), password: text.slice(colon + 1) };
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startTwilioCloud(options: {
  readonly credentials: TwilioCredentials;
  readonly apis: readonly CloudApi[];
  /** Host names served (the leaf certificate's names); default api.twilio.com. */
  readonly hosts?: readonly string[];
}): Promise<TwilioCloud> {
  const hosts = options.hosts ?? [API_HOST];
  const certificates: TestCertificates = makeTestCertificates(hosts);
  const routes: Route[] = [];
  const requests: RecordedRequest[] = [];
  const refusedHosts: string[] = [];
  const registry: CloudRoutes = {
    credentials: options.credentials,
    route(method, pattern, handler, host = API_HOST) {
      routes.push({ method: method.toUpperCase(), pattern, handler, host });
    },
  };
  for (const api of options.apis) api(registry);

  const serve = async (request: IncomingMessage, response: ServerResponse) => {
    const rawBody = await readBody(request);
    const url = new URL(request.url ?? '/', 'https://localhost');
    const host = (request.headers.host ?? '').replace(/:443$/, '');
    const auth = basicAuth(request.headers.authorization);
    const base = {
      method: request.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      host,
      headers: request.headers,
      form: parseForm(request.headers['content-type'], rawBody),
      rawBody,
      username: auth?.user,
      authenticated:
        auth?.user === options.credentials.accountSid && auth.password === options.credentials.authToken,
    };
    let reply: CloudReply;
    if (!base.authenticated) {
      // What Twilio answers a wrong or missing Account SID / Auth Token.
      reply = {
        ...twilioError(401, 20003, 'Authenticate'),
        headers: { 'WWW-Authenticate': 'Basic realm="Twilio API"' },
      };
    } else {
      const route = routes.find(
        (candidate) =>
          candidate.host === host && candidate.method === base.method && candidate.pattern.test(base.path),
      );
      const params = route ? { ...(route.pattern.exec(base.path)?.groups ?? {}) } : {};
      try {
        reply = route
          ? await route.handler({ ...base, params })
          : twilioError(404, 20404, `The requested resource ${base.path} was not found`);
      } catch (error) {
        reply = twilioError(500, 20500, `emulator error: ${(error as Error).message}`);
      }
    }
    requests.push({ ...base, status: reply.status });
    const body =
      reply.json !== undefined ? Buffer.from(JSON.stringify(reply.json)) : Buffer.from(reply.body ?? '');
    response.writeHead(reply.status, {
      ...(reply.json !== undefined ? { 'Content-Type': 'application/json; charset=utf-8' } : {}),
      'Content-Length': String(body.length),
      ...reply.headers,
    });
    response.end(body);
  };

  // Never listens: each tunnelled socket is handed to it after the CONNECT.
  const tls = createHttpsServer(
    { key: certificates.key, cert: certificates.cert, minVersion: 'TLSv1.2' },
    (req, res) => {
      serve(req, res).catch((error: unknown) => {
        res.destroy(error as Error);
      });
    },
  );
  const sockets = new Set<Socket>();
  const proxy: Server = createHttpServer((_request, response) => {
    // Plain-HTTP proxying: the library only ever tunnels to https.
    response.writeHead(502).end('the Twilio cloud emulator only tunnels https (CONNECT)');
  });
  proxy.on('connect', (request: IncomingMessage, socket: Socket, head: Buffer) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    const target = request.url ?? '';
    const [host, port] = target.split(':');
    if (!host || port !== '443' || !hosts.includes(host)) {
      refusedHosts.push(target);
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length > 0) socket.unshift(head);
    tls.emit('connection', socket);
  });
  proxy.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const { port } = proxy.address() as AddressInfo;
  const proxyUrl = `http://127.0.0.1:${port}`;
  return {
    proxyUrl,
    caFile: certificates.caFile,
    env: { HTTP_PROXY: proxyUrl, NODE_EXTRA_CA_CERTS: certificates.caFile },
    requests,
    refusedHosts,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
      tls.close();
      certificates.remove();
    },
  };
}
