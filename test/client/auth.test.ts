// Login, single-flight refresh after forced expiry, and the 401 paths, against the real sandbox.
import { afterEach, describe, expect, it } from 'vitest';
import { AuthenticationError, PermissionError } from '../../src/client/index.js';
import { allText, caught, harness, type Harness } from './helpers.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** A sandbox whose clock the test moves, so sessions expire without waiting. */
async function clocked(extra: Parameters<typeof harness>[0] = {}) {
  const clock = { t: Date.now() };
  h = await harness({
    users: [{ username: 'ann', password: 'ann-pw' }],
    sessionTtlSeconds: 60,
    now: () => clock.t,
    ...extra,
  });
  return { h, clock };
}

describe('session refresh', () => {
  it('refreshes once after expiry and retries the request', async () => {
    const { h, clock } = await clocked();
    const client = h.client({ token: undefined, username: 'ann', password: 'ann-pw' });
    await client.whoami();
    const first = client.token;
    h.sandbox.resetStats();
    clock.t += 120_000;
    expect((await client.whoami()).username).toBe('ann');
    expect(client.token).not.toBe(first);
    const s = h.sandbox.stats().byRoute;
    expect(s['POST /api/auth/refresh']).toBe(1);
    expect(s['POST /api/auth/login']).toBeUndefined();
    expect(s['GET /api/users/me']).toBe(2);
  });

  it('shares one refresh among concurrent requests', async () => {
    const { h, clock } = await clocked();
    const token = h.sandbox.createToken({ username: 'ann', kind: 'session' });
    const client = h.client({ token });
    clock.t += 120_000;
    h.sandbox.resetStats();
    const results = await Promise.all(Array.from({ length: 8 }, () => client.experiments.list()));
    expect(results).toHaveLength(8);
    expect(h.sandbox.stats().byRoute['POST /api/auth/refresh']).toBe(1);
  });

  it('surfaces AuthenticationError when the session can no longer be refreshed', async () => {
    const { h, clock } = await clocked({ refreshWindowSeconds: 0 });
    const token = h.sandbox.createToken({ username: 'ann', kind: 'session' });
    const client = h.client({ token });
    clock.t += 120_000;
    const err = await caught(client.whoami());
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err.message).toMatch(/log in again|personal access token/);
    expect(allText(err)).not.toContain(token);
  });

  it('logs in again when refresh fails and a password is known', async () => {
    const { h, clock } = await clocked({ refreshWindowSeconds: 0 });
    const client = h.client({ token: undefined, username: 'ann', password: 'ann-pw' });
    await client.whoami();
    clock.t += 120_000;
    h.sandbox.resetStats();
    expect((await client.whoami()).username).toBe('ann');
    const s = h.sandbox.stats().byRoute;
    expect(s['POST /api/auth/refresh']).toBe(1);
    expect(s['POST /api/auth/login']).toBe(1);
  });
});

describe('tokens', () => {
  it('never refreshes a personal access token: a 401 is final', async () => {
    h = await harness();
    const token = 'mint_pat_thisisnotavalidtoken000';
    const client = h.client({ token });
    const err = await caught(client.whoami());
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(h.sandbox.stats().byRoute['POST /api/auth/refresh']).toBeUndefined();
    expect(allText(err)).not.toContain(token);
  });

  it('a read-only PAT reads but gets PermissionError on a write', async () => {
    h = await harness({ users: [{ username: 'ann', password: 'ann-pw' }] });
    const token = h.sandbox.createToken({ username: 'ann', kind: 'pat', readOnly: true });
    expect(token.startsWith('mint_pat_')).toBe(true);
    const client = h.client({ token });
    expect(await client.experiments.list()).toEqual([]);
    const err = await caught(client.experiments.create({ name: 'x', experiment_type: 'general' }));
    expect(err).toBeInstanceOf(PermissionError);
    expect(allText(err)).not.toContain(token);
  });

  it('wrong password → AuthenticationError without the password in it', async () => {
    h = await harness({ users: [{ username: 'ann', password: 'ann-pw' }] });
    const client = h.client({ token: undefined, username: 'ann', password: 'wrong-password-123' });
    const err = await caught(client.whoami());
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(allText(err)).not.toContain('wrong-password-123');
  });

  it('a server demanding a second factor → advice to use a personal access token', async () => {
    h = await harness({ users: [{ username: 'sec', password: 'sec-pw', secondFactor: true }] });
    const client = h.client({ token: undefined });
    const err = await caught(client.login('sec', 'sec-pw'));
    expect(err).toBeInstanceOf(AuthenticationError);
    expect((err as AuthenticationError).code).toBe('auth.second_factor_required');
    expect(err.message).toMatch(/personal access token/);
    expect(err.message).toMatch(/^POST \/api\/auth\/login → 401/);
  });
});

describe('explicit refresh', () => {
  it('refuses to refresh a personal access token, without a request', async () => {
    h = await harness();
    const client = h.client();
    await expect(client.auth.refresh()).rejects.toThrow(/cannot be refreshed/);
    expect(h.sandbox.stats().byRoute['POST /api/auth/refresh']).toBeUndefined();
  });
});
