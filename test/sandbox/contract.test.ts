// The sandbox speaks like MINT: public setup config without a token, numeric created_by, a string
// `detail` in every error body, analysis artifacts and objects, and a strict mode that serves only
// what the contract confirms.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSandboxArgs, toSandboxOptions } from '../../src/sandbox/cli.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { call, expectStructuredError, login } from './helpers.js';

describe('default sandbox', () => {
  let sb: Sandbox;
  let expId: number;
  let aid: number;
  beforeAll(async () => {
    sb = await startSandbox({
      quiet: true,
      authRateLimit: false,
      users: [{ username: 'ann', password: 'a' }],
    });
    expId = (await call(sb, 'POST', '/api/experiments', { body: { name: 'x', experiment_type: 'general' } }))
      .body.id;
    aid = await sb.addArtifact({
      experimentId: expId,
      pluginId: 'peak-qc',
      artifactKey: 'report',
      result: { rows: 3 },
      objects: { 'dir/sub/a b.csv': { content: 'x,y\n1,2\n', contentType: 'text/csv' } },
    });
  });
  afterAll(() => sb.close());

  it('answers the public setup config without a token', async () => {
    const r = await call(sb, 'GET', '/api/setup/config/public', { token: null });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      auth_required: true,
      passkey_enabled: false,
      access: { experiment_visibility_mode: 'open' },
    });
  });

  it('sends created_by as the user id, and lower-case roles', async () => {
    const me = (await call(sb, 'GET', '/api/users/me')).body;
    const e = (await call(sb, 'GET', `/api/experiments/${expId}`)).body;
    expect(e.created_by).toBe(me.id);
    const p = (await call(sb, 'POST', '/api/projects', { body: { name: 'Owned' } })).body;
    expect(p.created_by).toBe(me.id);
    expect(me.role).toBe('admin');
    const ann = await login(sb, 'ann', 'a');
    expect((await call(sb, 'GET', '/api/users/me', { token: ann })).body.role).toBe('member');
  });

  it('puts a string detail in every error body, 401 and 422 included', async () => {
    const r401 = await call(sb, 'GET', '/api/users/me', { token: null });
    expectStructuredError(r401, 401, 'auth.required');
    const r422 = await call(sb, 'POST', '/api/experiments', { body: { name: 1 } });
    expect(r422.status).toBe(422);
    expect(typeof r422.body.detail).toBe('string');
    expect(Array.isArray(r422.body.details)).toBe(true);
  });

  it('lists artifacts (archived only on request), annotates, archives and restores', async () => {
    const base = `/api/experiments/${expId}/analysis-artifacts`;
    const listed = (await call(sb, 'GET', base)).body.artifacts;
    expect(listed).toEqual([
      expect.objectContaining({
        id: aid,
        plugin_id: 'peak-qc',
        artifact_key: 'report',
        status: 'active',
        archived: false,
      }),
    ]);
    expect((await call(sb, 'GET', `${base}/${aid}`)).body).toMatchObject({
      result: { rows: 3 },
      result_keys: ['rows'],
    });
    const annotated = await call(sb, 'PATCH', `${base}/${aid}`, {
      body: { display_name: 'Final', note: 'ok' },
    });
    expect(annotated.body).toMatchObject({ display_name: 'Final', note: 'ok' });
    expect((await call(sb, 'PATCH', `${base}/${aid}`, { body: { note: null } })).body.note).toBeNull();
    expect((await call(sb, 'POST', `${base}/${aid}/archive`)).body).toMatchObject({
      status: 'archived',
      archived: true,
    });
    expect((await call(sb, 'GET', base)).body.artifacts).toEqual([]);
    expect((await call(sb, 'GET', `${base}?include_archived=true`)).body.artifacts).toHaveLength(1);
    expect((await call(sb, 'POST', `${base}/${aid}/restore`)).body.status).toBe('active');
    const other = (
      await call(sb, 'POST', '/api/experiments', { body: { name: 'y', experiment_type: 'general' } })
    ).body;
    expectStructuredError(
      await call(sb, 'GET', `/api/experiments/${other.id}/analysis-artifacts/${aid}`),
      404,
      'NOT_FOUND',
    );
  });

  it('serves object bytes by key (slashes kept), with the plugin id required', async () => {
    const url = `/api/experiments/${expId}/objects/dir/sub/a%20b.csv?plugin_id=peak-qc&format=raw`;
    const r = await fetch(sb.url + url, { headers: { authorization: `Bearer ${sb.adminToken}` } });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/csv');
    expect(await r.text()).toBe('x,y\n1,2\n');
    const noPlugin = await call(sb, 'GET', `/api/experiments/${expId}/objects/dir/sub/a%20b.csv`);
    expectStructuredError(noPlugin, 422, 'validation.request');
    const wrongPlugin = await call(
      sb,
      'GET',
      `/api/experiments/${expId}/objects/dir/sub/a%20b.csv?plugin_id=x`,
    );
    expectStructuredError(wrongPlugin, 404, 'NOT_FOUND');
  });
});

describe('strict sandbox', () => {
  let sb: Sandbox;
  let now = Date.now();
  beforeAll(async () => {
    sb = await startSandbox({
      quiet: true,
      strict: true,
      authRateLimit: false,
      users: [{ username: 'ann', password: 'a' }],
      now: () => now,
    });
  });
  afterAll(() => sb.close());

  it('answers 404 on I routes that have an alternative, and serves the ones that have none', async () => {
    const e = (
      await call(sb, 'POST', '/api/experiments', { body: { name: 'x', experiment_type: 'general' } })
    ).body;
    expect(typeof e.id).toBe('number');
    for (const path of [
      `/api/experiments/${e.id}/results`,
      `/api/experiments/${e.id}/data/tree`,
      '/api/admin/status',
    ]) {
      expectStructuredError(await call(sb, 'GET', path), 404, 'NOT_FOUND');
    }
    // without its own route, next-seq falls to /api/experiments/{id}: not an id, so 422
    expect((await call(sb, 'GET', '/api/experiments/next-seq?experiment_type=general')).status).toBe(422);
    expect((await call(sb, 'GET', '/api/plugins')).status).toBe(200);
    expect((await call(sb, 'GET', '/api/setup/config/public', { token: null })).status).toBe(200);
  });

  it('ignores the I filters project_id, mine, created_by and created_before', async () => {
    const p = (await call(sb, 'POST', '/api/projects', { body: { name: 'P' } })).body;
    await call(sb, 'POST', '/api/experiments', {
      body: { name: 'in p', experiment_type: 'general', project_id: p.id },
    });
    const all = (await call(sb, 'GET', '/api/experiments')).body.total;
    expect(all).toBeGreaterThan(1);
    for (const q of [`project_id=${p.id}`, 'mine=true', 'created_by=999', 'created_before=2000-01-01']) {
      expect((await call(sb, 'GET', `/api/experiments?${q}`)).body.total).toBe(all);
    }
    // the confirmed filter by project name still works
    expect((await call(sb, 'GET', '/api/experiments?project=P')).body.total).toBe(1);
  });

  it('refuses to refresh an expired session', async () => {
    const token = await login(sb, 'ann', 'a');
    expect((await call(sb, 'POST', '/api/auth/refresh', { token, body: {} })).status).toBe(200);
    now += 3601_000;
    const r = await call(sb, 'POST', '/api/auth/refresh', { token, body: {} });
    expectStructuredError(r, 401, 'auth.session_over');
  });

  it('is a CLI flag', () => {
    expect(toSandboxOptions(parseSandboxArgs(['--strict', '--port', '0'])).strict).toBe(true);
    expect(toSandboxOptions(parseSandboxArgs(['--port', '0'])).strict).toBeUndefined();
  });
});
