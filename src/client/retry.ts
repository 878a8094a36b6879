// Retry policy as pure functions, plus the axios-retry wiring. axios-retry's defaults are not ours:
// it retries POST on connection errors, never retries timeouts, and does not cap Retry-After. Here a
// Retry-After above the cap stops the request instead of retrying early, and TLS failures are final.

import type { AxiosError, AxiosInstance, InternalAxiosRequestConfig } from 'axios';
import axiosRetry from 'axios-retry';

export interface RetryPolicy {
  /** Retries after the first attempt. */
  retries: number;
  baseDelayMs: number;
  factor: number;
  /** Cap of one backoff delay (not of Retry-After, see retryAfterCapMs). */
  maxDelayMs: number;
  /** Longest Retry-After we wait for; a server asking for more is not retried (never retried early). */
  retryAfterCapMs: number;
  /** No retry starts once the request has spent this long, counting from its first attempt. */
  budgetMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  retries: 4,
  baseDelayMs: 200,
  factor: 2,
  maxDelayMs: 10_000,
  retryAfterCapMs: 120_000,
  // room for one maximal Retry-After wait; a request ends within budgetMs + one attempt's timeout
  budgetMs: 180_000,
};

export interface RetryInfo {
  method: string;
  path: string;
  /** 1 for the first retry. */
  attempt: number;
  delayMs: number;
  reason: string;
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

/**
 * Codes that prove the request never left this machine (no TCP connection was made), so even a
 * POST can be sent again without risking a duplicate.
 */
const NEVER_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'MINT_CONNECT_TIMEOUT',
  // the proxy answered the CONNECT itself: the request never went out
  'MINT_PROXY_REFUSED',
]);

const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ECONNABORTED', 'MINT_CONNECT_TIMEOUT']);

/** What is wrong with the server's certificate, by Node's TLS error code. */
export type CertificateProblem = 'untrusted' | 'expired' | 'not-yet-valid' | 'wrong-name' | 'invalid';

const TLS_PROBLEMS: Record<string, CertificateProblem> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'untrusted',
  UNABLE_TO_GET_ISSUER_CERT: 'untrusted',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'untrusted',
  SELF_SIGNED_CERT_IN_CHAIN: 'untrusted',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'untrusted',
  CERT_UNTRUSTED: 'untrusted',
  CERT_HAS_EXPIRED: 'expired',
  CERT_NOT_YET_VALID: 'not-yet-valid',
  ERR_TLS_CERT_ALTNAME_INVALID: 'wrong-name',
  HOSTNAME_MISMATCH: 'wrong-name',
  CERT_REVOKED: 'invalid',
  CERT_REJECTED: 'invalid',
  CERT_SIGNATURE_FAILURE: 'invalid',
  INVALID_CA: 'invalid',
  INVALID_PURPOSE: 'invalid',
  CERT_CHAIN_TOO_LONG: 'invalid',
};

/**
 * A certificate the client refused. The handshake fails before a byte of the request is written,
 * so nothing reached MINT, and sending again cannot help.
 */
export function certificateProblem(code: string | undefined): CertificateProblem | undefined {
  return code === undefined ? undefined : TLS_PROBLEMS[code];
}

export function neverReachedServer(code: string | undefined): boolean {
  return code !== undefined && NEVER_SENT.has(code);
}

export function isTimeoutCode(code: string | undefined): boolean {
  return code !== undefined && TIMEOUT_CODES.has(code);
}

export function isIdempotentMethod(method: string): boolean {
  return IDEMPOTENT.has(method.toUpperCase());
}

export interface FailureFacts {
  method: string;
  /** HTTP status; undefined for a network failure or timeout. */
  status?: number;
  /** Node/axios error code for a network failure. */
  code?: string;
  /** The route is safe to repeat although its method is not (login, refresh). */
  retrySafe?: boolean;
}

/**
 * Retryable: 408, 429, 5xx (but 501), network errors and timeouts; POST/PATCH only when never sent.
 * Never: a redirect, a cancelled request, a refused certificate.
 */
export function isRetryableFailure(f: FailureFacts): boolean {
  if (f.code === 'ERR_CANCELED' || certificateProblem(f.code)) return false;
  const repeatable = f.retrySafe === true || isIdempotentMethod(f.method);
  if (f.status !== undefined) {
    const transient =
      f.status === 408 || f.status === 429 || (f.status >= 500 && f.status <= 599 && f.status !== 501);
    return transient && repeatable;
  }
  if (neverReachedServer(f.code)) return true;
  return repeatable;
}

/**
 * A failed POST/PATCH that may have been stored: timed out, connection lost after sending, or 5xx.
 * Login and refresh (retrySafe) store nothing; a refused certificate means nothing was sent.
 */
export function mayHaveCommitted(f: FailureFacts): boolean {
  const method = f.method.toUpperCase();
  if (method !== 'POST' && method !== 'PATCH') return false;
  if (f.retrySafe === true) return false;
  if (f.status !== undefined) return f.status >= 500;
  return !neverReachedServer(f.code) && f.code !== 'ERR_CANCELED' && !certificateProblem(f.code);
}

/** Retry-After as delta-seconds or an HTTP date, in ms from now; undefined when absent or unreadable. */
export function parseRetryAfter(value: unknown, nowMs: number = Date.now()): number | undefined {
  if (Array.isArray(value)) value = value[0];
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value * 1000 : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  if (!/[a-z]/i.test(text)) return undefined;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

/** Exponential backoff with "equal jitter": half fixed, half random, so retries spread out but still wait. */
export function backoffDelay(
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const exp = policy.baseDelayMs * Math.pow(policy.factor, Math.max(0, attempt - 1));
  const capped = Math.min(policy.maxDelayMs, exp);
  return Math.round(capped / 2 + (random() * capped) / 2);
}

/**
 * The wait before retry number `attempt`: the longer of backoff and Retry-After; undefined when the
 * server asks for a longer wait than retryAfterCapMs (retrying earlier would only be refused again).
 */
export function retryDelay(
  attempt: number,
  retryAfterMs: number | undefined,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number | undefined {
  const backoff = backoffDelay(attempt, policy, random);
  if (retryAfterMs === undefined) return backoff;
  if (retryAfterMs > policy.retryAfterCapMs) return undefined;
  return Math.max(backoff, retryAfterMs);
}

/** Whether a retry that waits `delayMs` still fits the budget of a request started at `startedAt`. */
export function withinBudget(
  startedAt: number,
  delayMs: number,
  policy: RetryPolicy,
  nowMs: number = Date.now(),
): boolean {
  return nowMs - startedAt + delayMs <= policy.budgetMs;
}

export function describeFailure(status: number | undefined, code: string | undefined): string {
  if (status !== undefined) return `HTTP ${status}`;
  if (code === 'MINT_CONNECT_TIMEOUT') return 'connect timeout';
  if (isTimeoutCode(code)) return 'timeout';
  return code ?? 'network error';
}

/** Per-request state we keep on the axios config. */
export interface MintRequestMeta {
  /** Path for messages and hooks, e.g. `/api/experiments/42` (no query). */
  path: string;
  retrySafe?: boolean;
  startedAt?: number;
  nextDelayMs?: number;
}

declare module 'axios' {
  interface AxiosRequestConfig {
    mint?: MintRequestMeta;
  }
}

export function errorCode(error: AxiosError): string | undefined {
  if (error.code) return error.code;
  // Happy-eyeballs failures arrive as an AggregateError whose parts carry the code.
  const cause = (error as { cause?: { code?: string; errors?: { code?: string }[] } }).cause;
  return cause?.code ?? cause?.errors?.find((e) => e.code)?.code;
}

export function installRetry(
  instance: AxiosInstance,
  policy: RetryPolicy,
  onRetry?: (info: RetryInfo) => void,
  random: () => number = Math.random,
): void {
  instance.interceptors.request.use((config: InternalAxiosRequestConfig) => {
    if (config.mint && config.mint.startedAt === undefined) config.mint.startedAt = Date.now();
    return config;
  });
  axiosRetry(instance, {
    retries: policy.retries,
    // every attempt gets its own deadline (see http.ts); the budget bounds the total instead
    shouldResetTimeout: true,
    retryCondition: (error) => {
      const config = error.config;
      if (!config?.mint) return false;
      const facts: FailureFacts = {
        method: (config.method ?? 'get').toUpperCase(),
        status: error.response?.status,
        code: error.response ? undefined : errorCode(error),
        retrySafe: config.mint.retrySafe,
      };
      if (!isRetryableFailure(facts)) return false;
      const attempt = (config['axios-retry']?.retryCount ?? 0) + 1;
      const after = error.response ? parseRetryAfter(error.response.headers?.['retry-after']) : undefined;
      const delay = retryDelay(attempt, after, policy, random);
      if (delay === undefined) return false;
      if (!withinBudget(config.mint.startedAt ?? Date.now(), delay, policy)) return false;
      config.mint.nextDelayMs = delay;
      return true;
    },
    retryDelay: (_count, error) => error.config?.mint?.nextDelayMs ?? 0,
    onRetry: (count, error, config) => {
      if (!onRetry) return;
      try {
        onRetry({
          method: (config.method ?? 'get').toUpperCase(),
          path: config.mint?.path ?? '',
          attempt: count,
          delayMs: config.mint?.nextDelayMs ?? 0,
          reason: describeFailure(error.response?.status, error.response ? undefined : errorCode(error)),
        });
      } catch {
        // a logging hook must not change the outcome of the request
      }
    },
  });
}
