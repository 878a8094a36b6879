// Deadlines that hold: --timeout bounds a whole attempt (headers AND body), 408 is retried for
// idempotent methods, and login/refresh failures are never "may have been stored".
import type * as http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionError, MintClient, ServerError, type RetryInfo } from '../../src/client/index.js';
import { caught, harness, type Harness } from './helpers.js';
import { startHttp, type Running } from './servers.js';

const running: Running[] = [];
const clients: MintClient[] = [];
let h: Harness | undefined;
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const r of running.splice(0)) await r.close();
  await h?.close();
  h = undefined;
});

function client(opts: ConstructorParameters<typeof MintClient>[0]): MintClient {
  const c = new MintClient({ env: { HOME: '/nonexistent' }, ...opts });
  clients.push(c);
  return c;
}

/** Sends 200 and its headers at once, then one byte of a valid JSON body every `everyMs`. */
async function trickling(body: string, everyMs: number) {
  const ended: boolean[] = [];
  const server = await startHttp((_req, res: http.ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    let i = 0;
    const timer = setInterval(() => {
      if (res.destroyed) return clearInterval(timer);
      res.write(body[i++]);
      if (i === body.length) {
        clearInterval(timer);
        res.end();
      }
    }, everyMs);
    res.on('close', () => {
      clearInterval(timer);
      ended.push(res.writableFinished);
    });
  });
  running.push(server);
  return { server, ended };
}

describe('--timeout bounds the whole attempt', () => {
  // 40 bytes × 100 ms = 4 s of body after prompt headers; the deadline is 500 ms
  const slowBody = JSON.stringify({ id: 1, username: 'slow', role: 'member' }).padEnd(40, ' ');

  it('a body trickled after prompt headers times out, and the socket is dropped', async () => {
    const { server, ended } = await trickling(slowBody, 100);
    const c = client({ baseUrl: server.url, token: 'mint_pat_trickle', timeoutMs: 500, retries: 0 });
    const err = await caught(c.whoami());
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err).toMatchObject({ code: 'ETIMEDOUT', timedOut: true, mayHaveCommitted: false });
    expect(err.message).toBe('GET /api/users/me → ETIMEDOUT: no complete response within 500 ms');
    // the client hung up: the server never got to finish writing the body
    await expect.poll(() => ended).toEqual([false]);
  });

  it('each retry gets a fresh deadline, and an idempotent GET is retried', async () => {
    const { server } = await trickling(slowBody, 100);
    const retries: RetryInfo[] = [];
    const c = client({
      baseUrl: server.url,
      token: 'mint_pat_trickle',
      timeoutMs: 300,
      retries: 2,
      onRetry: (i) => retries.push(i),
    });
    const err = await caught(c.whoami());
    expect((err as ConnectionError).timedOut).toBe(true);
    expect(retries.map((r) => r.reason)).toEqual(['timeout', 'timeout']);
    expect(server.received).toHaveLength(3);
  });

  it('a trickled answer to a POST is one request, reported as possibly stored', async () => {
    const { server } = await trickling(slowBody, 100);
    const c = client({ baseUrl: server.url, token: 'mint_pat_trickle', timeoutMs: 300, retries: 3 });
    const err = await caught(c.experiments.create({ name: 'x', experiment_type: 'general' }));
    expect(err).toMatchObject({ code: 'ETIMEDOUT', mayHaveCommitted: true });
    expect(server.received).toHaveLength(1);
  });

  it('a body that arrives in time is read as before', async () => {
    const { server } = await trickling(slowBody, 1);
    const c = client({ baseUrl: server.url, token: 'mint_pat_trickle', timeoutMs: 5000, retries: 0 });
    expect((await c.whoami()).username).toBe('slow');
  });
});

describe('408 Request Timeout', () => {
  async function answering408First() {
    let n = 0;
    const server = await startHttp((_req, res) => {
      n += 1;
      res.writeHead(n === 1 ? 408 : 200, { 'content-type': 'application/json' });
      res.end(n === 1 ? '{"detail":"request timeout"}' : '{"id":1,"username":"again","role":"member"}');
    });
    running.push(server);
    return server;
  }

  it('is retried for a GET', async () => {
    const server = await answering408First();
    const retries: RetryInfo[] = [];
    const c = client({ baseUrl: server.url, token: 'mint_pat_408', onRetry: (i) => retries.push(i) });
    expect((await c.whoami()).username).toBe('again');
    expect(retries.map((r) => r.reason)).toEqual(['HTTP 408']);
  });

  it('is not retried for a POST that creates', async () => {
    const server = await answering408First();
    const c = client({ baseUrl: server.url, token: 'mint_pat_408' });
    const err = await caught(c.experiments.create({ name: 'x', experiment_type: 'general' }));
    expect(err).toMatchObject({ status: 408, mayHaveCommitted: false });
    expect(server.received).toHaveLength(1);
  });
});

describe('login and refresh are never "may have been stored"', () => {
  it('a login answered 500', async () => {
    h = await harness();
    h.sandbox.setFaults({ rules: [{ route: 'POST /api/auth/login', error500: 1 }] });
    const c = h.client({ token: undefined, username: 'admin', password: 'admin', retries: 0 });
    const err = await caught(c.whoami());
    expect(err).toBeInstanceOf(ServerError);
    expect((err as ServerError).mayHaveCommitted).toBe(false);
    expect(err.message).not.toMatch(/may have been stored/);
  });

  it('a login that timed out', async () => {
    h = await harness();
    h.sandbox.setFaults({ rules: [{ route: 'POST /api/auth/login', commitThenStall: 1, stallMs: 2000 }] });
    const c = h.client({
      token: undefined,
      username: 'admin',
      password: 'admin',
      retries: 0,
      timeoutMs: 200,
    });
    const err = await caught(c.whoami());
    expect(err).toMatchObject({ code: 'ETIMEDOUT', mayHaveCommitted: false });
    expect(err.message).not.toMatch(/may have been stored/);
  });

  it('a refresh answered 503', async () => {
    h = await harness();
    const login = await h.client({ token: undefined }).login('admin', 'admin');
    h.sandbox.setFaults({ rules: [{ route: 'POST /api/auth/refresh', error503: 1 }] });
    const c = h.client({ token: login.access_token, retries: 0 });
    const err = await caught(c.auth.refresh());
    expect(err).toBeInstanceOf(ServerError);
    expect((err as ServerError).mayHaveCommitted).toBe(false);
  });
});
