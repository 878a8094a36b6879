// Small dedicated servers for conditions the sandbox does not produce: redirects, trickled bodies,
// TLS with test certificates, and a CONNECT / forward proxy. Each records what it received.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import * as path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { harness, type Harness } from './helpers.js';

export interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface Running<S extends net.Server = net.Server> {
  server: S;
  port: number;
  url: string;
  received: Received[];
  close(): Promise<void>;
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void;

function recording(received: Received[], handler: Handler): http.RequestListener {
  return (req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => (body += d));
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      handler(req, res, body);
    });
  };
}

async function listen<S extends net.Server>(server: S, scheme: string, received: Received[]) {
  const sockets = new Set<net.Socket>();
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as net.AddressInfo).port;
  return {
    server,
    port,
    url: `${scheme}://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

export function startHttp(handler: Handler): Promise<Running<http.Server>> {
  const received: Received[] = [];
  return listen(http.createServer(recording(received, handler)), 'http', received);
}

export const TLS_DIR = path.resolve(__dirname, '../fixtures/tls');
export const tlsFile = (name: string): string => fs.readFileSync(path.join(TLS_DIR, name), 'utf8');

/** An https server with one of the fixture certificates (server.pem, expired.pem, wrong-name.pem). */
export function startHttps(cert: string, handler: Handler): Promise<Running<https.Server>> {
  const received: Received[] = [];
  const server = https.createServer(
    { cert: tlsFile(cert), key: tlsFile('server-key.pem') },
    recording(received, handler),
  );
  return listen(server, 'https', received);
}

/** Forwards every request to `target` (e.g. the sandbox), so a TLS front end serves the real API. */
export function forwardTo(target: string): Handler {
  return (req, res, body) => {
    const up = http.request(
      `${target}${req.url}`,
      { method: req.method, headers: { ...req.headers, host: new URL(target).host } },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    up.end(body);
  };
}

export interface ProxyLog {
  /** host:port of every CONNECT tunnel. */
  connects: string[];
  /** Absolute URLs and headers of every request forwarded in clear (plain-http proxying). */
  forwarded: Received[];
  /** Every byte that went through a tunnel towards the origin, for "the token never passed in clear". */
  tunneled: Buffer[];
}

/** A forward proxy: CONNECT tunnels for https, absolute-URL forwarding for http. */
export async function startProxy(
  opts: { refuseConnect?: string } = {},
): Promise<Running<http.Server> & { log: ProxyLog }> {
  const log: ProxyLog = { connects: [], forwarded: [], tunneled: [] };
  const server = http.createServer(
    recording(log.forwarded, (req, res, body) => {
      const up = http.request(req.url ?? '', { method: req.method, headers: req.headers }, (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      });
      up.on('error', () => res.destroy());
      up.end(body);
    }),
  );
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    log.connects.push(req.url ?? '');
    // a proxy that answers the CONNECT itself (407, or a forged reply) instead of opening the tunnel
    if (opts.refuseConnect !== undefined) {
      client.on('data', (d: Buffer) => log.tunneled.push(d));
      client.end(opts.refuseConnect);
      return;
    }
    const [host, port] = (req.url ?? '').split(':');
    const upstream = net.connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      client.on('data', (d: Buffer) => log.tunneled.push(d));
      client.pipe(upstream);
      upstream.pipe(client);
    });
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    upstream.on('error', end);
    client.on('error', end);
  });
  const running = await listen(server, 'http', log.forwarded);
  return { ...running, log };
}

/** Every variable a proxy could come from (axios reads each in both cases). */
export const PROXY_VARS = [
  'HTTPS_PROXY',
  'https_proxy',
  'HTTP_PROXY',
  'http_proxy',
  'ALL_PROXY',
  'all_proxy',
  'NO_PROXY',
  'no_proxy',
];

/**
 * Clears the proxy variables for a test and returns how to put them back: axios reads them from
 * process.env at request time, as every Node tool does.
 */
export function clearProxyEnv(): () => void {
  const saved = Object.fromEntries(PROXY_VARS.map((k) => [k, process.env[k]]));
  for (const k of PROXY_VARS) delete process.env[k];
  return () => {
    for (const k of PROXY_VARS) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  };
}

/**
 * For each test: proxy variables cleared (and restored after), a fresh sandbox harness, and the
 * servers the test pushes to `running` closed after it.
 */
export function proxyTestbed(): { readonly h: Harness; running: Running[] } {
  let restoreProxyEnv: () => void;
  let current: Harness | undefined;
  const running: Running[] = [];
  beforeEach(async () => {
    restoreProxyEnv = clearProxyEnv();
    current = await harness();
  });
  afterEach(async () => {
    restoreProxyEnv();
    for (const r of running.splice(0)) await r.close();
    await current?.close();
  });
  return {
    get h(): Harness {
      if (!current) throw new Error('proxyTestbed: used outside a test');
      return current;
    },
    running,
  };
}
