import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RETRY_POLICY,
  backoffDelay,
  isRetryableFailure,
  mayHaveCommitted,
  parseRetryAfter,
  retryDelay,
  withinBudget,
} from '../../src/client/retry.js';

const policy = DEFAULT_RETRY_POLICY;

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  it('reads delta-seconds', () => {
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('1.5', now)).toBe(1500);
    expect(parseRetryAfter(['2'], now)).toBe(2000);
  });
  it('reads an HTTP date relative to now, never negative', () => {
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:59:00 GMT', now)).toBe(0);
  });
  it('ignores absent or unreadable values', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
  });
});

describe('backoff', () => {
  it('grows by the factor from the base, with jitter between half and full', () => {
    expect(backoffDelay(1, policy, () => 0)).toBe(100);
    expect(backoffDelay(1, policy, () => 1)).toBe(200);
    expect(backoffDelay(2, policy, () => 1)).toBe(400);
    expect(backoffDelay(3, policy, () => 1)).toBe(800);
    expect(backoffDelay(3, policy, () => 0.5)).toBe(600);
  });
  it('is capped', () => {
    expect(backoffDelay(30, policy, () => 1)).toBe(policy.maxDelayMs);
  });
  it('waits for Retry-After when it is longer; beyond retryAfterCapMs it does not retry at all', () => {
    expect(retryDelay(1, 5000, policy, () => 1)).toBe(5000);
    expect(retryDelay(1, 10, policy, () => 1)).toBe(200);
    expect(retryDelay(1, 120_000, policy, () => 1)).toBe(120_000);
    expect(retryDelay(1, 120_001, policy, () => 1)).toBeUndefined();
    expect(retryDelay(1, 3_600_000, { ...policy, retryAfterCapMs: 1000 }, () => 1)).toBeUndefined();
  });
  it('stops retrying once the budget would be exceeded', () => {
    expect(withinBudget(0, 1000, { ...policy, budgetMs: 5000 }, 3000)).toBe(true);
    expect(withinBudget(0, 3000, { ...policy, budgetMs: 5000 }, 3000)).toBe(false);
  });
});

describe('which failures are retried', () => {
  it('retries 429 and 5xx only for idempotent methods', () => {
    for (const method of ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']) {
      expect(isRetryableFailure({ method, status: 503 })).toBe(true);
      expect(isRetryableFailure({ method, status: 429 })).toBe(true);
      expect(isRetryableFailure({ method, status: 500 })).toBe(true);
    }
    for (const method of ['POST', 'PATCH']) {
      expect(isRetryableFailure({ method, status: 503 })).toBe(false);
      expect(isRetryableFailure({ method, status: 429 })).toBe(false);
    }
  });
  it('never retries other 4xx or 501', () => {
    for (const status of [400, 401, 403, 404, 409, 422, 501]) {
      expect(isRetryableFailure({ method: 'GET', status })).toBe(false);
    }
  });
  it('retries timeouts and resets for idempotent methods but not POST/PATCH', () => {
    for (const code of ['ETIMEDOUT', 'ECONNABORTED', 'ECONNRESET', 'EPIPE']) {
      expect(isRetryableFailure({ method: 'GET', code })).toBe(true);
      expect(isRetryableFailure({ method: 'PUT', code })).toBe(true);
      expect(isRetryableFailure({ method: 'POST', code })).toBe(false);
      expect(isRetryableFailure({ method: 'PATCH', code })).toBe(false);
    }
  });
  it('retries POST/PATCH when the request provably never left (refused, DNS, connect timeout)', () => {
    for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'MINT_CONNECT_TIMEOUT']) {
      expect(isRetryableFailure({ method: 'POST', code })).toBe(true);
      expect(isRetryableFailure({ method: 'PATCH', code })).toBe(true);
    }
  });
  it('treats login/refresh (retrySafe) like idempotent calls', () => {
    expect(isRetryableFailure({ method: 'POST', status: 429, retrySafe: true })).toBe(true);
    expect(isRetryableFailure({ method: 'POST', code: 'ETIMEDOUT', retrySafe: true })).toBe(true);
  });
  it('never retries a cancelled request', () => {
    expect(isRetryableFailure({ method: 'GET', code: 'ERR_CANCELED' })).toBe(false);
  });
});

describe('mayHaveCommitted', () => {
  it('is true for POST/PATCH after a timeout, a reset or a 5xx', () => {
    expect(mayHaveCommitted({ method: 'POST', code: 'ETIMEDOUT' })).toBe(true);
    expect(mayHaveCommitted({ method: 'PATCH', code: 'ECONNRESET' })).toBe(true);
    expect(mayHaveCommitted({ method: 'POST', status: 500 })).toBe(true);
  });
  it('is false when the server refused, answered 4xx, or the method is not POST/PATCH', () => {
    expect(mayHaveCommitted({ method: 'POST', code: 'ECONNREFUSED' })).toBe(false);
    expect(mayHaveCommitted({ method: 'POST', status: 409 })).toBe(false);
    expect(mayHaveCommitted({ method: 'POST', status: 429 })).toBe(false);
    expect(mayHaveCommitted({ method: 'PUT', code: 'ETIMEDOUT' })).toBe(false);
    expect(mayHaveCommitted({ method: 'DELETE', status: 500 })).toBe(false);
  });
});
