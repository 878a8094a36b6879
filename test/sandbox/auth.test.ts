// Authentication over HTTP: login, refresh, verify, PATs (incl. read-only), mint_svc_, expiry,
// second factor and the /api/auth* rate limit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { call, expectStructuredError } from './helpers.js';

describe('sessions and tokens', () => {
  let sb: Sandbox;
  let clock = Date.parse('2026-03-01T12:00:00Z');

  beforeAll(async () => {
    sb = await startSandbox({
      users: [
        { username: 'erin', password: 'erin-pw' },
        { username: 'otto', password: 'otto-pw', secondFactor: true },
      ],
      sessionTtlSeconds: 60,
      refreshWindowSeconds: 600,
      now: () => clock,
      authRateLimit: false,
    });
  });
  afterAll(() => sb.close());

  it('logs in with the contract shape and answers users/me and verify', async () => {
    const r = await call(sb, 'POST', '/api/auth/login', {
      body: { username: 'erin', password: 'erin-pw' },
      token: null,
    });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ access_token: expect.any(String), token_type: 'bearer', expires_in: 60 });
    const token = r.body.access_token;
    const me = await call(sb, 'GET', '/api/users/me', { token });
    expect(me.body).toEqual({
      id: expect.any(Number),
      username: 'erin',
      shortname: expect.any(String),
      email: expect.any(String),
      role: 'member',
      is_active: true,
    });
    const verify = await call(sb, 'GET', '/api/auth/verify', { token });
    expect(verify.body).toEqual({
      valid: true,
      username: 'erin',
      expires_at: new Date(clock + 60_000).toISOString(),
    });
  });

  it('refuses bad credentials, missing tokens and second-factor accounts with distinct 401 codes', async () => {
    const bad = await call(sb, 'POST', '/api/auth/login', {
      body: { username: 'erin', password: 'nope' },
      token: null,
    });
    expectStructuredError(bad, 401, 'auth.invalid_credentials');
    expect(bad.headers.get('www-authenticate')).toBe('Bearer');
    expectStructuredError(
      await call(sb, 'POST', '/api/auth/login', { body: { username: 'ghost', password: 'x' }, token: null }),
      401,
      'auth.invalid_credentials',
    );
    const sf = await call(sb, 'POST', '/api/auth/login', {
      body: { username: 'otto', password: 'otto-pw' },
      token: null,
    });
    expectStructuredError(sf, 401, 'auth.second_factor_required');
    expect(sf.body.message).toMatch(/personal access token/);
    expect(
      (await call(sb, 'GET', '/api/users/me', { token: sb.createToken({ username: 'otto' }) })).status,
    ).toBe(200);
    expectStructuredError(await call(sb, 'GET', '/api/experiments', { token: null }), 401, 'auth.required');
    expectStructuredError(
      await call(sb, 'GET', '/api/experiments', { token: 'mint_pat_unknown' }),
      401,
      'auth.invalid_token',
    );
    expectStructuredError(
      await call(sb, 'GET', '/api/experiments', { token: 'aaa.bbb.ccc' }),
      401,
      'auth.invalid_token',
    );
  });

  it('refuses mint_svc_ tokens clearly, without echoing the token', async () => {
    const secret = 'mint_svc_supersecretvalue123';
    const r = await call(sb, 'GET', '/api/experiments', { token: secret });
    expectStructuredError(r, 401, 'auth.service_token_refused');
    expect(r.body.message).toMatch(/mint_svc_.*personal access token/);
    expect(r.text).not.toContain('supersecret');
    expect(JSON.stringify(sb.log())).not.toContain('supersecret');
    expectStructuredError(
      await call(sb, 'POST', '/api/auth/refresh', { body: {}, token: secret }),
      401,
      'auth.service_token_refused',
    );
  });

  it('expires a session (distinct 401), refreshes it within the window, refuses it after', async () => {
    const token = (
      await call(sb, 'POST', '/api/auth/login', {
        body: { username: 'erin', password: 'erin-pw' },
        token: null,
      })
    ).body.access_token;
    expect((await call(sb, 'GET', '/api/experiments', { token })).status).toBe(200);
    clock += 61_000;
    expectStructuredError(await call(sb, 'GET', '/api/experiments', { token }), 401, 'auth.token_expired');
    const refreshed = await call(sb, 'POST', '/api/auth/refresh', { body: {}, token });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body).toEqual({
      access_token: expect.any(String),
      token_type: 'bearer',
      expires_in: 60,
    });
    expect(refreshed.body.access_token).not.toBe(token);
    expect((await call(sb, 'GET', '/api/experiments', { token: refreshed.body.access_token })).status).toBe(
      200,
    );
    clock += 700_000;
    expectStructuredError(
      await call(sb, 'POST', '/api/auth/refresh', { body: {}, token }),
      401,
      'auth.session_over',
    );
  });

  it('does not refresh personal access tokens', async () => {
    const pat = sb.createToken({ username: 'erin' });
    expectStructuredError(
      await call(sb, 'POST', '/api/auth/refresh', { body: {}, token: pat }),
      400,
      'VALIDATION_ERROR',
    );
    expectStructuredError(
      await call(sb, 'POST', '/api/auth/refresh', { body: {}, token: null }),
      401,
      'auth.required',
    );
  });

  it('expires PATs created with a ttl', async () => {
    const pat = sb.createToken({ username: 'erin', ttlSeconds: 5 });
    expect((await call(sb, 'GET', '/api/auth/verify', { token: pat })).body.expires_at).toBe(
      new Date(clock + 5000).toISOString(),
    );
    clock += 6000;
    expectStructuredError(await call(sb, 'GET', '/api/users/me', { token: pat }), 401, 'auth.token_expired');
  });

  it('gives a read-only PAT reads but 403 on every write', async () => {
    const ro = sb.createToken({ username: 'erin', readOnly: true });
    const rw = sb.createToken({ username: 'erin' });
    const e = (
      await call(sb, 'POST', '/api/experiments', {
        body: { name: 'ro target', experiment_type: 'general' },
        token: rw,
      })
    ).body;
    expect((await call(sb, 'GET', `/api/experiments/${e.id}`, { token: ro })).status).toBe(200);
    expect((await call(sb, 'GET', '/api/experiments', { token: ro })).status).toBe(200);
    const writes: [string, string, unknown][] = [
      ['POST', '/api/experiments', { name: 'x', experiment_type: 'general' }],
      ['PATCH', `/api/experiments/${e.id}`, { name: 'y' }],
      ['DELETE', `/api/experiments/${e.id}`, undefined],
      ['PUT', `/api/experiments/${e.id}/data`, { plugin_id: 'p', data: 1 }],
      ['PUT', `/api/experiments/${e.id}/results/peak-qc`, { result: 1 }],
      ['POST', '/api/projects', { name: 'ro project' }],
    ];
    for (const [method, path, body] of writes) {
      const r = await call(sb, method, path, { body, token: ro });
      expectStructuredError(r, 403, 'PERMISSION_DENIED');
      expect(r.body.message).toMatch(/read-only/);
    }
    expect((await call(sb, 'GET', `/api/experiments/${e.id}`, { token: ro })).body.name).toBe('ro target');
  });

  it('serves /_sandbox control routes to admins only', async () => {
    expect((await call(sb, 'GET', '/_sandbox/stats')).status).toBe(200);
    expectStructuredError(
      await call(sb, 'GET', '/_sandbox/stats', { token: sb.createToken({ username: 'erin' }) }),
      403,
      'PERMISSION_DENIED',
    );
    expectStructuredError(await call(sb, 'GET', '/_sandbox/stats', { token: null }), 401, 'auth.required');
    const minted = await call(sb, 'POST', '/_sandbox/tokens', { body: { username: 'erin', readOnly: true } });
    expect(minted.status).toBe(201);
    expectStructuredError(
      await call(sb, 'POST', '/api/projects', { body: { name: 'n' }, token: minted.body.token }),
      403,
      'PERMISSION_DENIED',
    );
  });
});

describe('auth rate limit', () => {
  it('allows 20 /api/auth* requests per 60 s per IP, then 429 with Retry-After', async () => {
    let clock = 1_000_000;
    const sb = await startSandbox({ now: () => clock });
    try {
      for (let i = 0; i < 20; i++) {
        const r = await call(sb, 'POST', '/api/auth/login', {
          body: { username: 'admin', password: i % 2 ? 'admin' : 'wrong' },
          token: null,
        });
        expect(r.status).toBe(i % 2 ? 200 : 401);
      }
      const limited = await call(sb, 'POST', '/api/auth/login', {
        body: { username: 'admin', password: 'admin' },
        token: null,
      });
      expectStructuredError(limited, 429, 'RATE_LIMITED');
      expect(limited.headers.get('retry-after')).toBe('60');
      expectStructuredError(await call(sb, 'GET', '/api/auth/verify'), 429, 'RATE_LIMITED');
      // Other routes are not limited.
      expect((await call(sb, 'GET', '/api/users/me')).status).toBe(200);
      clock += 45_000;
      expect((await call(sb, 'GET', '/api/auth/verify')).headers.get('retry-after')).toBe('15');
      clock += 15_000;
      expect(
        (
          await call(sb, 'POST', '/api/auth/login', {
            body: { username: 'admin', password: 'admin' },
            token: null,
          })
        ).status,
      ).toBe(200);
    } finally {
      await sb.close();
    }
  });
});
