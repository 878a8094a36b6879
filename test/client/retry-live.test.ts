// Retries against injected faults: which calls are repeated, Retry-After, budget, and the POST
// that must not be repeated.
import * as net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ConnectionError,
  MintClient,
  RateLimitError,
  ServerError,
  type RetryInfo,
} from '../../src/client/index.js';
import { caught, harness, type Harness } from './helpers.js';

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(() => h.close());

/** A client whose first retry switches the faults off, so the retry is what succeeds. */
function healingClient(extra: Partial<ConstructorParameters<typeof MintClient>[0]> = {}) {
  const retries: RetryInfo[] = [];
  const client = h.client({
    onRetry: (info) => {
      retries.push(info);
      h.sandbox.setFaults({ rules: [] });
    },
    ...extra,
  });
  return { client, retries };
}

describe('retried', () => {
  it('GET after a 503', async () => {
    h.sandbox.setFaults({ rules: [{ route: 'GET /api/experiments', error503: 1 }] });
    const { client, retries } = healingClient();
    expect(await client.experiments.list()).toEqual([]);
    expect(retries).toEqual([
      {
        method: 'GET',
        path: '/api/experiments',
        attempt: 1,
        delayMs: expect.any(Number),
        reason: 'HTTP 503',
      },
    ]);
    expect(h.sandbox.stats().byRoute['GET /api/experiments']).toBe(2);
  });

  it('GET after a 429, waiting as long as Retry-After says', async () => {
    h.sandbox.setFaults({ rules: [{ route: 'GET /api/users/me', rateLimit: 1, retryAfterSeconds: 1 }] });
    const { client, retries } = healingClient();
    expect((await client.whoami()).username).toBe('admin');
    expect(retries).toHaveLength(1);
    expect(retries[0].reason).toBe('HTTP 429');
    expect(retries[0].delayMs).toBeGreaterThanOrEqual(1000);
  });

  it('does not retry early when Retry-After is above retryAfterCapMs: one request, the wait quoted', async () => {
    h.sandbox.setFaults({ rules: [{ route: 'GET /api/users/me', rateLimit: 1, retryAfterSeconds: 3600 }] });
    const { client, retries } = healingClient({ retryAfterCapMs: 250 });
    const err = await caught(client.whoami());
    expect(err).toBeInstanceOf(RateLimitError);
    expect(retries).toEqual([]);
    expect(h.sandbox.stats().byRoute['GET /api/users/me']).toBe(1);
    expect(err.message).toMatch(
      /MINT asked to wait 3600 s \(60 min\) \(Retry-After: 3600\), longer than the 1 s this client waits, so it was not retried/,
    );
    expect(err.message.split('\n')).toHaveLength(1);
  });

  it('the default cap is 120 s: a Retry-After of 121 s is not retried', async () => {
    h.sandbox.setFaults({ rules: [{ route: 'GET /api/users/me', rateLimit: 1, retryAfterSeconds: 121 }] });
    const { client, retries } = healingClient();
    const err = await caught(client.whoami());
    expect(retries).toEqual([]);
    expect(err.message).toMatch(/Retry-After: 121\), longer than the 120 s \(2 min\) this client waits/);
  });

  it('PUT (an upsert) after a 500 and after a dropped connection', async () => {
    const { client: setup } = healingClient();
    const exp = await setup.experiments.create({ name: 'put-retry', experiment_type: 'general' });
    for (const fault of [{ error500: 1 }, { reset: 1 }]) {
      h.sandbox.setFaults({ rules: [{ route: 'PUT /api/experiments/{id}/results/{plugin_id}', ...fault }] });
      const { client, retries } = healingClient();
      await client.experiments.analysis.save(exp.id, 'peak-qc', { n: 1 });
      expect(retries).toHaveLength(1);
    }
    expect((await setup.experiments.analysis.get(exp.id, 'peak-qc')).result).toEqual({ n: 1 });
  });

  it('GET after a timeout', async () => {
    h.sandbox.setFaults({ rules: [{ route: 'GET /api/experiments', commitThenStall: 1, stallMs: 2000 }] });
    const { client, retries } = healingClient({ timeoutMs: 200 });
    expect(await client.experiments.list()).toEqual([]);
    expect(retries[0].reason).toBe('timeout');
  });

  it('POST when the connection was refused (nothing was sent)', async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise<void>((r) => server.close(() => r()));
    const retries: RetryInfo[] = [];
    const client = h.client({
      baseUrl: `http://127.0.0.1:${port}`,
      retries: 2,
      onRetry: (i) => retries.push(i),
    });
    const err = await caught(client.experiments.create({ name: 'x', experiment_type: 'general' }));
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as ConnectionError).code).toBe('ECONNREFUSED');
    expect((err as ConnectionError).mayHaveCommitted).toBe(false);
    expect(retries.map((r) => r.attempt)).toEqual([1, 2]);
  });
});

describe('not retried', () => {
  it('a POST that timed out: one request, ConnectionError with mayHaveCommitted, and it did commit', async () => {
    h.sandbox.setFaults({ rules: [{ route: 'POST /api/experiments', commitThenStall: 1, stallMs: 3000 }] });
    const retries: RetryInfo[] = [];
    const client = h.client({ timeoutMs: 300, onRetry: (i) => retries.push(i) });
    const err = await caught(client.experiments.create({ name: 'stalled', experiment_type: 'general' }));
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err).toMatchObject({ status: 0, timedOut: true, mayHaveCommitted: true, method: 'POST' });
    expect(err.message).toMatch(
      /^POST \/api\/experiments → ETIMEDOUT: no complete response within 300 ms; the write may have been stored/,
    );
    expect(retries).toEqual([]);
    expect(h.sandbox.stats().byRoute['POST /api/experiments']).toBe(1);
    h.sandbox.setFaults({ rules: [] });
    expect((await client.experiments.list({ search: 'stalled' })).map((e) => e.name)).toEqual(['stalled']);
  });

  it('a POST or PATCH answered 503: ServerError with mayHaveCommitted, one request', async () => {
    const client = h.client();
    const exp = await client.experiments.create({ name: 'p', experiment_type: 'general' });
    h.sandbox.setFaults({
      rules: [
        { route: '*', method: 'POST', error503: 1 },
        { route: '*', method: 'PATCH', error503: 1 },
      ],
    });
    h.sandbox.resetStats();
    const post = await caught(client.experiments.create({ name: 'q', experiment_type: 'general' }));
    const patch = await caught(client.experiments.update(exp.id, { notes: 'n' }));
    for (const err of [post, patch]) {
      expect(err).toBeInstanceOf(ServerError);
      expect((err as ServerError).mayHaveCommitted).toBe(true);
    }
    const s = h.sandbox.stats().byRoute;
    expect(s['POST /api/experiments']).toBe(1);
    expect(s['PATCH /api/experiments/{id}']).toBe(1);
  });

  it('a POST answered 429: RateLimitError, not committed, one request', async () => {
    h.sandbox.setFaults({ rules: [{ route: 'POST /api/experiments', rateLimit: 1 }] });
    const err = await caught(h.client().experiments.create({ name: 'r', experiment_type: 'general' }));
    expect(err).toBeInstanceOf(RateLimitError);
    expect((err as RateLimitError).mayHaveCommitted).toBe(false);
    expect(h.sandbox.stats().byRoute['POST /api/experiments']).toBe(1);
  });
});

describe('limits', () => {
  it('gives up after `retries` retries with the last error', async () => {
    h.sandbox.setFaults({ rules: [{ route: 'GET /api/users/me', error503: 1 }] });
    const retries: RetryInfo[] = [];
    const err = await caught(h.client({ retries: 2, onRetry: (i) => retries.push(i) }).whoami());
    expect(err).toBeInstanceOf(ServerError);
    expect(retries.map((r) => r.attempt)).toEqual([1, 2]);
    expect(h.sandbox.stats().byRoute['GET /api/users/me']).toBe(3);
  });

  it('starts no retry that would overrun the retry budget', async () => {
    h.sandbox.setFaults({ rules: [{ route: 'GET /api/users/me', rateLimit: 1, retryAfterSeconds: 30 }] });
    const err = await caught(h.client({ retryBudgetMs: 5000 }).whoami());
    expect(err).toBeInstanceOf(RateLimitError);
    expect(h.sandbox.stats().byRoute['GET /api/users/me']).toBe(1);
  });

  it('a throwing onRetry hook does not change the outcome', async () => {
    h.sandbox.setFaults({ rules: [{ route: 'GET /api/users/me', error503: 1 }] });
    const client = h.client({
      onRetry: () => {
        h.sandbox.setFaults({ rules: [] });
        throw new Error('logger broke');
      },
    });
    expect((await client.whoami()).username).toBe('admin');
  });
});
