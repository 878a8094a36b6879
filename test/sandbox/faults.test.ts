// Fault injection: seeded and reproducible, each fault kind observable over HTTP, settable at start,
// in process and over /_sandbox/faults.
import { afterEach, describe, expect, it } from 'vitest';
import { type FaultConfig, type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { call, expectStructuredError } from './helpers.js';

const open: Sandbox[] = [];
async function sandbox(faults?: FaultConfig): Promise<Sandbox> {
  const sb = await startSandbox({ faults });
  open.push(sb);
  return sb;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((sb) => sb.close()));
});

async function statuses(sb: Sandbox, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await call(sb, 'GET', '/api/health', { token: null })).status);
  return out;
}

describe('fault injection', () => {
  const coinFlip: FaultConfig = { seed: 42, rules: [{ route: '/api/health', error500: 0.5 }] };

  it('replays the same faults for the same seed and request sequence', async () => {
    const a = await statuses(await sandbox(coinFlip), 40);
    const b = await statuses(await sandbox(coinFlip), 40);
    expect(a).toEqual(b);
    expect(a).toContain(500);
    expect(a).toContain(200);
    const other = await statuses(await sandbox({ ...coinFlip, seed: 7 }), 40);
    expect(other).not.toEqual(a);
  });

  it('restarts the sequence when faults are set again (in process and over HTTP)', async () => {
    const sb = await sandbox(coinFlip);
    const first = await statuses(sb, 20);
    sb.setFaults(coinFlip);
    expect(await statuses(sb, 20)).toEqual(first);
    const put = await call(sb, 'PUT', '/_sandbox/faults', { body: coinFlip });
    expect(put.body).toEqual(coinFlip);
    expect((await call(sb, 'GET', '/_sandbox/faults')).body).toEqual(coinFlip);
    expect(await statuses(sb, 20)).toEqual(first);
  });

  it('refuses a malformed fault config with a readable 400', async () => {
    const sb = await sandbox();
    const r = await call(sb, 'PUT', '/_sandbox/faults', { body: { rules: [{ error500: 2 }] } });
    expectStructuredError(r, 400, 'VALIDATION_ERROR');
    expect(r.body.message).toBe('fault config: rules[0].error500 must be a probability in [0, 1], found 2');
    await expect(startSandbox({ faults: { rules: [{ latencyMs: -1 }] } })).rejects.toThrow(/latencyMs/);
    const typo = await call(sb, 'PUT', '/_sandbox/faults', {
      body: { rules: [{ route: '/api/experiments/:id', error500: 1 }] },
    });
    expect(typo.body.message).toMatch(/rules\[0\]\.route "\/api\/experiments\/:id" is not a route template/);
  });

  it('emits 500 and 503 with structured bodies, and 429 with Retry-After', async () => {
    const sb = await sandbox({
      rules: [
        { method: 'GET', route: '/api/experiments', error503: 1 },
        { route: 'POST /api/projects', error500: 1 },
        { route: '/api/users/me', rateLimit: 1, retryAfterSeconds: 7 },
      ],
    });
    expectStructuredError(await call(sb, 'GET', '/api/experiments'), 503, 'SERVICE_UNAVAILABLE');
    expectStructuredError(
      await call(sb, 'POST', '/api/projects', { body: { name: 'never' } }),
      500,
      'REPOSITORY_ERROR',
    );
    const limited = await call(sb, 'GET', '/api/users/me');
    expectStructuredError(limited, 429, 'RATE_LIMITED');
    expect(limited.headers.get('retry-after')).toBe('7');
    // Rules are scoped by method and route; a 500 on create means nothing was created.
    expect((await call(sb, 'GET', '/api/projects')).body.total).toBe(0);
    expect(
      (await call(sb, 'POST', '/api/experiments', { body: { name: 'ok', experiment_type: 'general' } }))
        .status,
    ).toBe(201);
    // Control routes never see faults.
    sb.setFaults({ rules: [{ route: '*', error500: 1 }] });
    expect((await call(sb, 'GET', '/_sandbox/stats')).status).toBe(200);
    expect((await call(sb, 'GET', '/api/health', { token: null })).status).toBe(500);
  });

  it('resets the connection without a response', async () => {
    const sb = await sandbox({ rules: [{ route: '/api/experiments', method: 'POST', reset: 1 }] });
    await expect(
      call(sb, 'POST', '/api/experiments', { body: { name: 'r', experiment_type: 'general' } }),
    ).rejects.toThrow();
    expect((await call(sb, 'GET', '/api/experiments')).body.total).toBe(0);
    expect(sb.log().find((e) => e.method === 'POST')?.fault).toBe('reset');
  });

  it('adds latency before handling', async () => {
    const sb = await sandbox({ rules: [{ route: '/api/health', latencyMs: 120 }] });
    expect((await call(sb, 'GET', '/api/health', { token: null })).status).toBe(200);
    // A lower bound only: the timer cannot fire before its delay.
    expect(sb.log()[0].durationMs).toBeGreaterThanOrEqual(115);
  });

  it('commits then stalls: the write is stored although the client gave up', async () => {
    const sb = await sandbox({
      rules: [{ route: 'POST /api/experiments', commitThenStall: 1, stallMs: 60_000 }],
    });
    const attempt = fetch(`${sb.url}/api/experiments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sb.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'stalled', experiment_type: 'lcms_batch' }),
      signal: AbortSignal.timeout(300),
    });
    await expect(attempt).rejects.toThrow();
    const list = await call(sb, 'GET', '/api/experiments');
    expect(list.body.experiments.map((e: { name: string }) => e.name)).toEqual(['stalled']);
  });

  it('close() ends stalled requests instead of waiting for them', async () => {
    // Registered for afterEach too (close() is idempotent), so a failure here cannot leave it running.
    const sb = await sandbox({ rules: [{ route: '/api/health', commitThenStall: 1, stallMs: 600_000 }] });
    const pending = fetch(`${sb.url}/api/health`).then(
      (r) => r.status,
      () => 'dropped',
    );
    while (!sb.stats().total) await new Promise((r) => setTimeout(r, 5));
    await sb.close();
    expect(await pending).toBe('dropped');
  });
});
