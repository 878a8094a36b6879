// Transport: one axios instance per client with keep-alive agents, a real connect timeout, a deadline
// for each whole attempt, no redirects followed, proxies only for https, our User-Agent, and the guard
// against sending credentials over plain http to another host.

import * as http from 'node:http';
import * as https from 'node:https';
import * as tls from 'node:tls';
import type { Duplex } from 'node:stream';
import axios, {
  AxiosError,
  getAdapter,
  type AxiosAdapter,
  type AxiosInstance,
  type AxiosResponse,
  type InternalAxiosRequestConfig,
} from 'axios';
import { MintConfigError } from './errors.js';
import { installRetry, type RetryInfo, type RetryPolicy } from './retry.js';

export const CLIENT_VERSION: string = readVersion();

function readVersion(): string {
  try {
    // resolved from src/client and lib/client alike; ncc inlines it
    const pkg = require('../../package.json') as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export const DEFAULT_USER_AGENT = `mint-manifest/${CLIENT_VERSION}`;

type CreateConnection = (options: object, callback?: (err: Error | null, socket: Duplex) => void) => Duplex;

/**
 * Destroys a socket that has not connected within `connectTimeoutMs`. axios' `timeout` covers the
 * whole exchange; this one separates "server unreachable" (safe to retry any method) from "slow".
 * Reused keep-alive sockets are already connected and get no timer.
 */
export function withConnectTimeout<A extends http.Agent>(agent: A, connectTimeoutMs: number): A {
  const inner = (agent as unknown as { createConnection: CreateConnection }).createConnection.bind(agent);
  const patched: CreateConnection = (options, callback) => {
    const socket = inner(options, callback) as Duplex & { connecting?: boolean };
    if (connectTimeoutMs > 0 && socket.connecting) {
      const timer = setTimeout(() => {
        const err = Object.assign(new Error(`could not connect within ${connectTimeoutMs} ms`), {
          code: 'MINT_CONNECT_TIMEOUT',
        });
        socket.destroy(err);
      }, connectTimeoutMs);
      timer.unref();
      const clear = (): void => clearTimeout(timer);
      socket.once('connect', clear);
      socket.once('error', clear);
      socket.once('close', clear);
    }
    return socket;
  };
  (agent as unknown as { createConnection: CreateConnection }).createConnection = patched;
  // an idle pooled socket must not keep a finished CLI run alive; Node refs it again on reuse
  agent.on('free', (socket: { unref?: () => void }) => socket.unref?.());
  return agent;
}

/**
 * Bounds one whole attempt (connect, headers and the full body) by `timeoutMs`. axios' own `timeout`
 * is an idle timer that every received byte resets, so a server trickling a byte at a time would
 * hold a request open for as long as it likes. Each retry goes through the adapter again and gets a
 * fresh deadline.
 */
export function withDeadline(adapter: AxiosAdapter, timeoutMs: number): AxiosAdapter {
  if (!(timeoutMs > 0)) return adapter;
  return (config: InternalAxiosRequestConfig) => {
    const signal = new DeadlineSignal();
    const outer = config.signal as AbortSignal | undefined;
    if (outer?.aborted) signal.abort();
    const forwardAbort = (): void => signal.abort();
    outer?.addEventListener?.('abort', forwardAbort);
    // The attempt runs on the request's own config (axios builds a fresh one for every try) with our
    // signal in it; the caller's signal is put back before anyone sees the outcome, so a retry never
    // starts with this attempt's spent signal. (A copy of the config per attempt was a large object.)
    config.signal = signal as unknown as AbortSignal;
    let restored = false;
    const restore = (): void => {
      if (restored) return;
      restored = true;
      config.signal = outer;
      outer?.removeEventListener?.('abort', forwardAbort);
    };
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        restore();
        reject(new AxiosError(`no complete response within ${timeoutMs} ms`, AxiosError.ETIMEDOUT, config));
        signal.abort();
      }, timeoutMs);
      adapter(config).then(
        (res) => {
          clearTimeout(timer);
          restore();
          resolve(res);
        },
        (err: unknown) => {
          clearTimeout(timer);
          restore();
          reject(err);
        },
      );
    });
  };
}

/**
 * The abort signal of one attempt, as much of AbortSignal as axios uses (`aborted`, add and remove
 * an 'abort' listener). Node's AbortController builds an EventTarget with its own maps and listener
 * records for every request: at 30,000 requests that was a large share of what each one allocated.
 */
export class DeadlineSignal {
  aborted = false;
  reason: unknown = undefined;
  // axios adds one listener; a second is rare and kept in `more`
  private listener: ((event: { type: string }) => void) | undefined = undefined;
  private more: ((event: { type: string }) => void)[] | undefined = undefined;

  addEventListener(type: string, listener: (event: { type: string }) => void): void {
    if (type !== 'abort') return;
    if (this.aborted) listener({ type: 'abort' });
    else if (!this.listener) this.listener = listener;
    else (this.more ??= []).push(listener);
  }

  removeEventListener(type: string, listener: (event: { type: string }) => void): void {
    if (type !== 'abort') return;
    if (this.listener === listener) this.listener = undefined;
    else if (this.more) {
      const i = this.more.indexOf(listener);
      if (i >= 0) this.more.splice(i, 1);
    }
  }

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    const listeners = [this.listener, ...(this.more ?? [])];
    this.listener = undefined;
    this.more = undefined;
    for (const l of listeners) l?.({ type: 'abort' });
  }
}

/**
 * Plain http never goes through a proxy: the proxy would read the bearer token and the lab data in
 * clear. axios' `proxy: false` is the switch, but it is set only when the environment names a proxy
 * that axios would use for http (checked on every attempt, so a variable set later counts too).
 * With `proxy: false` axios (1.21) hangs a closure over the request's whole state on the request's
 * options, and V8 then moves every finished request to the old generation: about 8 KB a request,
 * which was the largest part of a 10,000-experiment apply's peak memory (docs/benchmarks.md).
 */
export function withoutProxy(adapter: AxiosAdapter): AxiosAdapter {
  return (config: InternalAxiosRequestConfig) => {
    if (namesHttpProxy(process.env)) config.proxy = false;
    return adapter(config);
  };
}

/** The variables axios reads for an http proxy (its copy of proxy-from-env: either case). */
export function namesHttpProxy(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.http_proxy || env.HTTP_PROXY || env.all_proxy || env.ALL_PROXY);
}

/**
 * For an https MINT URL, only an answer that came over TLS is MINT's. A proxy that answers the
 * CONNECT itself (407, 502, or a forged "201 Created") hands back a plain-text response the HTTP
 * machinery would otherwise take as MINT's reply; the request itself was never written to it.
 */
export function withTlsAnswersOnly(adapter: AxiosAdapter): AxiosAdapter {
  const check = (res: AxiosResponse, config: InternalAxiosRequestConfig): void => {
    const socket = (res.request as { socket?: { encrypted?: boolean } | null } | undefined)?.socket;
    if (!socket || socket.encrypted === true) return;
    throw new AxiosError(
      `the proxy answered ${res.status}${res.statusText ? ` ${res.statusText}` : ''} instead of opening a ` +
        'tunnel to MINT, so nothing was sent: check HTTPS_PROXY / NO_PROXY and the credentials the proxy wants',
      'MINT_PROXY_REFUSED',
      config,
    );
  };
  return async (config: InternalAxiosRequestConfig) => {
    let res: AxiosResponse;
    try {
      res = await adapter(config);
    } catch (err) {
      if (err instanceof AxiosError && err.response) check(err.response, config);
      throw err;
    }
    check(res, config);
    return res;
  };
}

export interface TransportOptions {
  /** The MINT origin: plain http is never sent through a proxy. */
  baseUrl: string;
  /** Deadline of one whole attempt (connect, headers, body). */
  timeoutMs: number;
  connectTimeoutMs: number;
  userAgent: string;
  /** Extra trusted CA certificates (PEM), added to Node's own roots. */
  ca?: string | string[];
  policy: RetryPolicy;
  onRetry?: (info: RetryInfo) => void;
}

export interface Transport {
  axios: AxiosInstance;
  policy: RetryPolicy;
  close(): void;
}

export function createTransport(opts: TransportOptions): Transport {
  const httpAgent = withConnectTimeout(
    new http.Agent({ keepAlive: true, maxSockets: 32 }),
    opts.connectTimeoutMs,
  );
  const httpsAgent = withConnectTimeout(
    new https.Agent({ keepAlive: true, maxSockets: 32, ...extraCa(opts.ca) }),
    opts.connectTimeoutMs,
  );
  const instance = axios.create({
    adapter: withDeadline(
      isPlainHttp(opts.baseUrl) ? withoutProxy(getAdapter('http')) : withTlsAnswersOnly(getAdapter('http')),
      opts.timeoutMs,
    ),
    httpAgent,
    httpsAgent,
    headers: { 'User-Agent': opts.userAgent, Accept: 'application/json' },
    // ETIMEDOUT instead of the ambiguous ECONNABORTED
    transitional: { clarifyTimeoutError: true },
    maxContentLength: 512 * 1024 * 1024,
    maxBodyLength: 512 * 1024 * 1024,
    // A redirect would re-send the login body or lab data to wherever it points: a 3xx is an error.
    maxRedirects: 0,
    // HTTPS_PROXY / NO_PROXY apply to https (a CONNECT tunnel: the proxy sees only the host name).
    // Plain http never uses one: see withoutProxy.
  });
  // axios merges its defaults into every request: its per-method header groups (get, post, … and a
  // `common` Accept we replace anyway) are a dozen objects to copy each time. Ours are flat.
  instance.defaults.headers = {
    'User-Agent': opts.userAgent,
    Accept: 'application/json',
  } as unknown as typeof instance.defaults.headers;
  installRetry(instance, opts.policy, opts.onRetry);
  return {
    axios: instance,
    policy: opts.policy,
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

/** Node's `ca` option replaces the default roots, so the extra CAs are added to them. */
function extraCa(ca: string | string[] | undefined): { ca?: string[] } {
  if (ca === undefined || ca.length === 0) return {};
  return { ca: [...tls.rootCertificates, ...(Array.isArray(ca) ? ca : [ca])] };
}

function isPlainHttp(baseUrl: string): boolean {
  return new URL(baseUrl).protocol === 'http:';
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** Names and addresses of this machine. `*.localhost` is not one: Node resolves it through DNS. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return LOOPBACK_HOSTS.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Plain http to a host other than this machine: credentials would cross the network in clear. */
export function isInsecureRemote(baseUrl: string): boolean {
  const url = new URL(baseUrl);
  return url.protocol === 'http:' && !isLoopbackHost(url.hostname);
}

/** Throws unless credentials may be sent to `baseUrl`. */
export function assertSecureTransport(baseUrl: string, allowInsecureHttp: boolean): void {
  if (isInsecureRemote(baseUrl) && !allowInsecureHttp) {
    throw new MintConfigError(
      `refusing to send credentials over plain http to ${new URL(baseUrl).host}: use an https:// MINT URL, ` +
        'or, only on a network you trust, pass --allow-insecure-http (MINT_ALLOW_INSECURE_HTTP=1; ' +
        'Action input allow-insecure-http: true)',
    );
  }
}

/** The warning printed on every run that sends credentials over plain http to another host. */
export function insecureHttpWarning(baseUrl: string): string {
  return (
    `INSECURE: credentials and lab data go to ${new URL(baseUrl).host} over plain http, readable by anyone on ` +
    'the network path (allowed by --allow-insecure-http / MINT_ALLOW_INSECURE_HTTP); switch MINT_URL to https://'
  );
}

/**
 * Accepts an origin, or an origin ending in /api (stripped); keeps a reverse-proxy path prefix.
 * Returns the URL without trailing slash.
 */
export function normalizeBaseUrl(raw: string): string {
  const text = raw.trim();
  // what error messages quote: a password in the user-info never reaches the output
  const shown = text.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/*)[^/?#]*@/, '$1***@');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new MintConfigError(
      `MINT URL "${shown}" is not a valid URL: give the server origin, e.g. https://mint.example.org`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new MintConfigError(`MINT URL "${shown}" must start with https:// (or http:// for a local server)`);
  }
  if (url.username || url.password) {
    throw new MintConfigError('MINT URL must not contain a user name or password: pass a token instead');
  }
  let path = url.pathname.replace(/\/+$/, '');
  if (path.endsWith('/api')) path = path.slice(0, -4);
  return `${url.protocol}//${url.host}${path}`;
}
