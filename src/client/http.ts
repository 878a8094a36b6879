// Transport: one axios instance per client with keep-alive agents, a real connect timeout, our
// User-Agent, and the guard against sending credentials over plain http to another host.

import * as http from 'node:http';
import * as https from 'node:https';
import type { Duplex } from 'node:stream';
import axios, { type AxiosInstance } from 'axios';
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

export interface TransportOptions {
  timeoutMs: number;
  connectTimeoutMs: number;
  userAgent: string;
  policy: RetryPolicy;
  onRetry?: (info: RetryInfo) => void;
}

export interface Transport {
  axios: AxiosInstance;
  close(): void;
}

export function createTransport(opts: TransportOptions): Transport {
  const httpAgent = withConnectTimeout(
    new http.Agent({ keepAlive: true, maxSockets: 32 }),
    opts.connectTimeoutMs,
  );
  const httpsAgent = withConnectTimeout(
    new https.Agent({ keepAlive: true, maxSockets: 32 }),
    opts.connectTimeoutMs,
  );
  const instance = axios.create({
    timeout: opts.timeoutMs,
    httpAgent,
    httpsAgent,
    headers: { 'User-Agent': opts.userAgent, Accept: 'application/json' },
    // ETIMEDOUT instead of the ambiguous ECONNABORTED
    transitional: { clarifyTimeoutError: true },
    maxContentLength: 512 * 1024 * 1024,
    maxBodyLength: 512 * 1024 * 1024,
  });
  installRetry(instance, opts.policy, opts.onRetry);
  return {
    axios: instance,
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return LOOPBACK_HOSTS.has(host) || host.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Throws unless credentials may be sent to `baseUrl`. */
export function assertSecureTransport(baseUrl: string, allowInsecureHttp: boolean): void {
  const url = new URL(baseUrl);
  if (url.protocol === 'http:' && !allowInsecureHttp && !isLoopbackHost(url.hostname)) {
    throw new MintConfigError(
      `refusing to send credentials over plain http to ${url.host}: use an https:// MINT URL, ` +
        'or set allowInsecureHttp (--allow-insecure-http) if this network is trusted',
    );
  }
}

/**
 * Accepts an origin, or an origin ending in /api (stripped); keeps a reverse-proxy path prefix.
 * Returns the URL without trailing slash.
 */
export function normalizeBaseUrl(raw: string): string {
  const text = raw.trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new MintConfigError(
      `MINT URL "${text}" is not a valid URL: give the server origin, e.g. https://mint.example.org`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new MintConfigError(`MINT URL "${text}" must start with https:// (or http:// for a local server)`);
  }
  if (url.username || url.password) {
    throw new MintConfigError('MINT URL must not contain a user name or password: pass a token instead');
  }
  let path = url.pathname.replace(/\/+$/, '');
  if (path.endsWith('/api')) path = path.slice(0, -4);
  return `${url.protocol}//${url.host}${path}`;
}
