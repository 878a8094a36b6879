// With legacyErrors the sandbox speaks the older bodies the client must also parse.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { call } from './helpers.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ legacyErrors: true, users: [{ username: 'mia', password: 'm' }] });
});
afterAll(() => sb.close());

describe('legacy error bodies', () => {
  it('uses FastAPI {detail: "text"} for plain errors', async () => {
    const missing = await call(sb, 'GET', '/api/experiments/4242');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ detail: expect.stringContaining('4242') });
    expect(missing.headers.get('x-request-id')).toMatch(/\S/);
    const unauth = await call(sb, 'GET', '/api/experiments', { token: null });
    expect(unauth.status).toBe(401);
    expect(unauth.body).toEqual({ detail: expect.any(String) });
    const ro = await call(sb, 'POST', '/api/projects', {
      body: { name: 'x' },
      token: sb.createToken({ username: 'mia', readOnly: true }),
    });
    expect(ro.status).toBe(403);
    expect(ro.body).toEqual({ detail: expect.stringMatching(/read-only/) });
    const e = (
      await call(sb, 'POST', '/api/experiments', { body: { name: 'l', experiment_type: 'general' } })
    ).body;
    const bad = await call(sb, 'PATCH', `/api/experiments/${e.id}`, { body: { status: 'completed' } });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ detail: expect.stringMatching(/planned → completed/) });
  });

  it('uses FastAPI {detail: [{loc, msg, type}]} for 422', async () => {
    const r = await call(sb, 'POST', '/api/experiments', {
      body: { name: 'x', experiment_type: 'general', tags: ['a'] },
    });
    expect(r.status).toBe(422);
    expect(r.body).toEqual({
      detail: [{ loc: ['body', 'tags'], msg: expect.any(String), type: 'dict_type' }],
    });
  });

  it('uses the plugin shape {error, message, details} on plugin routes', async () => {
    const e = (
      await call(sb, 'POST', '/api/experiments', { body: { name: 'p', experiment_type: 'general' } })
    ).body;
    const r = await call(sb, 'GET', `/api/experiments/${e.id}/results/peak-qc`);
    expect(r.status).toBe(404);
    expect(r.body).toEqual({
      error: 'NOT_FOUND',
      message: expect.stringContaining('peak-qc'),
      detail: r.body.message,
      details: null,
    });
    const read = (await call(sb, 'GET', '/api/peak-qc/settings')).body;
    await call(sb, 'PUT', '/api/peak-qc/settings', { body: { a: 1 } });
    const stale = await call(sb, 'PUT', '/api/peak-qc/settings', {
      body: {},
      headers: { 'if-match': `"${read.revision}"` },
    });
    expect(stale.status).toBe(409);
    expect(stale.body).toEqual({
      error: 'CONFLICT',
      message: expect.any(String),
      detail: expect.any(String),
      details: { expected_revision: read.revision, current_revision: expect.any(String) },
    });
  });
});
