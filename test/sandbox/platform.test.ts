// Contract tests for health, projects, plugins, admin, updates, routing and the shared route table.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../src/client/routes.js';
import { SANDBOX_ROUTES, type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { call, expectStructuredError } from './helpers.js';

let sb: Sandbox;
let carol: string;

beforeAll(async () => {
  sb = await startSandbox({ users: [{ username: 'carol', password: 'c' }] });
  carol = sb.createToken({ username: 'carol' });
});
afterAll(() => sb.close());

describe('route table', () => {
  it('serves every route of the client table, same method and template', () => {
    const served = new Set(SANDBOX_ROUTES.map((r) => `${r.method} ${r.path}`));
    // a plugin's own routes: the client takes the api_prefix, the sandbox serves /api/{plugin}
    const missing = Object.values(ROUTES)
      .map((r) => `${r.method} ${r.path.replace('{api_prefix}', '/api/{plugin}')}`)
      .filter((k) => !served.has(k));
    expect(missing).toEqual([]);
  });

  it('answers 404 NOT_FOUND for unknown routes and 405 with Allow for a wrong method', async () => {
    expectStructuredError(await call(sb, 'GET', '/api/nowhere'), 404, 'NOT_FOUND');
    const r = await call(sb, 'POST', '/api/health');
    expectStructuredError(r, 405, 'METHOD_NOT_ALLOWED');
    expect(r.headers.get('allow')).toBe('GET');
    // A literal segment beats a parameter: next-seq is not experiment id "next-seq".
    expectStructuredError(await call(sb, 'DELETE', '/api/experiments/next-seq'), 405, 'METHOD_NOT_ALLOWED');
  });

  it('sends x-request-id on every response, echoing a sane incoming one', async () => {
    const r = await call(sb, 'GET', '/api/health', { token: null });
    expect(r.headers.get('x-request-id')).toMatch(/^req_[0-9a-f]{16}$/);
    const echoed = await call(sb, 'GET', '/api/nowhere', { headers: { 'x-request-id': 'trace-123' } });
    expect(echoed.headers.get('x-request-id')).toBe('trace-123');
    expect(echoed.body.request_id).toBe('trace-123');
  });

  it('accepts a trailing slash and HEAD on GET routes', async () => {
    expect((await call(sb, 'GET', '/api/health/', { token: null })).status).toBe(200);
    const head = await fetch(`${sb.url}/api/health`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });
});

describe('health', () => {
  it('needs no token and reports status, version and boot_id', async () => {
    const r = await call(sb, 'GET', '/api/health', { token: null });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      status: 'ok',
      version: expect.any(String),
      boot_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
  });
});

describe('projects', () => {
  it('creates (201, unique name → 409), gets, lists with filters, updates and pages', async () => {
    const p = await call(sb, 'POST', '/api/projects', {
      body: { name: 'TCA flux paper 2026', description: 'Isotope tracing' },
    });
    expect(p.status).toBe(201);
    expect(p.body).toMatchObject({
      id: expect.any(Number),
      name: 'TCA flux paper 2026',
      description: 'Isotope tracing',
      status: 'active',
    });
    expectStructuredError(
      await call(sb, 'POST', '/api/projects', { body: { name: 'TCA flux paper 2026' } }),
      409,
      'CONFLICT',
    );
    expectStructuredError(
      await call(sb, 'POST', '/api/projects', { body: { description: 'no name' } }),
      422,
      'validation.request',
    );
    const q = await call(sb, 'POST', '/api/projects', { body: { name: 'Carol side project' }, token: carol });
    expect((await call(sb, 'GET', `/api/projects/${p.body.id}`)).body.name).toBe('TCA flux paper 2026');
    expectStructuredError(await call(sb, 'GET', '/api/projects/99999'), 404, 'NOT_FOUND');

    const all = await call(sb, 'GET', '/api/projects');
    expect(Object.keys(all.body).sort()).toEqual(['projects', 'total']);
    expect(all.body.total).toBe(2);
    expect(
      (await call(sb, 'GET', '/api/projects?search=flux')).body.projects.map((x: { id: number }) => x.id),
    ).toEqual([p.body.id]);
    expect(
      (await call(sb, 'GET', '/api/projects?my_projects=true', { token: carol })).body.projects.map(
        (x: { id: number }) => x.id,
      ),
    ).toEqual([q.body.id]);
    expect((await call(sb, 'GET', '/api/projects?limit=1&skip=1')).body).toMatchObject({
      total: 2,
      projects: [{ id: q.body.id }],
    });

    const upd = await call(sb, 'PATCH', `/api/projects/${q.body.id}`, {
      body: { status: 'archived', description: null },
    });
    expect(upd.body).toMatchObject({ status: 'archived', description: null, name: 'Carol side project' });
    expect((await call(sb, 'GET', '/api/projects?status=archived')).body.total).toBe(1);
    expectStructuredError(
      await call(sb, 'PATCH', `/api/projects/${q.body.id}`, { body: { status: 'gone' } }),
      422,
      'validation.request',
    );
    expectStructuredError(
      await call(sb, 'PATCH', `/api/projects/${q.body.id}`, { body: { name: 'TCA flux paper 2026' } }),
      409,
      'CONFLICT',
    );

    const members = await call(sb, 'GET', `/api/projects/${q.body.id}/members`);
    expect(members.body.members).toEqual([
      expect.objectContaining({ username: 'carol', role: 'owner', user_id: expect.any(Number) }),
    ]);
  });

  it("lists a project's experiments and deletes them with the project", async () => {
    const p = (await call(sb, 'POST', '/api/projects', { body: { name: 'Doomed project' } })).body;
    const ids: number[] = [];
    for (const name of ['one', 'two', 'three']) {
      const e = await call(sb, 'POST', '/api/experiments', {
        body: { name, experiment_type: 'general', project_id: p.id },
      });
      expect(e.body.project).toBe('Doomed project');
      ids.push(e.body.id);
    }
    await call(sb, 'PUT', `/api/experiments/${ids[0]}/data`, { body: { plugin_id: 'p', data: {} } });
    const outside = (
      await call(sb, 'POST', '/api/experiments', { body: { name: 'outside', experiment_type: 'general' } })
    ).body;
    const page = await call(sb, 'GET', `/api/projects/${p.id}/experiments?limit=2`);
    expect(page.body.total).toBe(3);
    expect(page.body.experiments).toHaveLength(2);
    expect((await call(sb, 'DELETE', `/api/projects/${p.id}`)).status).toBe(204);
    for (const id of ids)
      expectStructuredError(await call(sb, 'GET', `/api/experiments/${id}`), 404, 'NOT_FOUND');
    expect((await call(sb, 'GET', `/api/experiments/${outside.id}`)).status).toBe(200);
    expectStructuredError(await call(sb, 'GET', `/api/projects/${p.id}/experiments`), 404, 'NOT_FOUND');
  });
});

describe('plugins', () => {
  it('lists plugins with their api_prefix; config is a PATCH merge with an opaque revision', async () => {
    const list = await call(sb, 'GET', '/api/plugins');
    expect(list.body.plugins).toContainEqual(
      expect.objectContaining({
        id: 'peak-qc',
        name: 'peak-qc',
        version: expect.any(String),
        api_prefix: '/api/peak-qc',
      }),
    );
    const cfg = await call(sb, 'GET', '/api/plugins/peak-qc/config');
    expect(cfg.body).toMatchObject({ plugin_name: 'peak-qc', config: {}, revision: expect.any(String) });
    const first = await call(sb, 'PATCH', '/api/plugins/peak-qc/config', {
      body: { config: { threshold: 0.8, mode: 'fast' } },
    });
    expect(first.status).toBe(200);
    expect(first.body.config).toEqual({ threshold: 0.8, mode: 'fast' });
    expect(first.body.revision).not.toBe(cfg.body.revision);
    // an If-Match is not part of this route: a stale one changes nothing
    const second = await call(sb, 'PATCH', '/api/plugins/peak-qc/config', {
      body: { config: { mode: null, window: 5 } },
      headers: { 'if-match': `"${cfg.body.revision}"` },
    });
    expect(second.status).toBe(200);
    expect((await call(sb, 'GET', '/api/plugins/peak-qc/config')).body.config).toEqual({
      threshold: 0.8,
      window: 5,
    });
    expectStructuredError(await call(sb, 'GET', '/api/plugins/nope/config'), 404, 'PLUGIN_NOT_FOUND');
    expectStructuredError(
      await call(sb, 'PATCH', '/api/plugins/peak-qc/config', { body: { config: [1] } }),
      422,
      'validation.request',
    );
    const put = await call(sb, 'PUT', '/api/plugins/peak-qc/config', { body: { config: {} } });
    expectStructuredError(put, 405, 'METHOD_NOT_ALLOWED');
  });

  it("guards a plugin's own settings with If-Match revisions (409 when stale)", async () => {
    const read = await call(sb, 'GET', '/api/plate-layout/settings');
    expect(read.body).toMatchObject({ settings: {}, revision: expect.any(String) });
    const ok = await call(sb, 'PUT', '/api/plate-layout/settings', {
      body: { rows: 8 },
      headers: { 'if-match': `"${read.body.revision}"` },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.settings).toEqual({ rows: 8 });
    const stale = await call(sb, 'PUT', '/api/plate-layout/settings', {
      body: { rows: 16 },
      headers: { 'if-match': `"${read.body.revision}"` },
    });
    expectStructuredError(stale, 409, 'CONFLICT');
    expect(stale.body.details).toMatchObject({ current_revision: ok.body.revision });
    expect((await call(sb, 'GET', '/api/plate-layout/settings')).body.settings).toEqual({ rows: 8 });
    expectStructuredError(await call(sb, 'GET', '/api/nope/settings'), 404, 'PLUGIN_NOT_FOUND');
  });
});

describe('admin and updates', () => {
  it('serves the admin calls to admins and refuses members with 403', async () => {
    for (const path of [
      '/api/admin/status',
      '/api/admin/system',
      '/api/admin/users',
      '/api/admin/roles',
      '/api/admin/plugins/peak-qc/roles',
      '/api/updates/check',
      '/api/updates/status',
    ]) {
      const r = await call(sb, 'GET', path);
      expect(r.status, `${path}: ${r.text}`).toBe(200);
      expectStructuredError(await call(sb, 'GET', path, { token: carol }), 403, 'PERMISSION_DENIED');
    }
    const users = await call(sb, 'GET', '/api/admin/users');
    expect(users.body.users.map((u: { username: string }) => u.username)).toEqual(['admin', 'carol']);
  });

  it('creates and updates users; a new user can log in; inactive users are refused', async () => {
    const created = await call(sb, 'POST', '/api/admin/users', {
      body: { username: 'dave', password: 'd', role: 'member' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ username: 'dave', role: 'member', is_active: true });
    expectStructuredError(
      await call(sb, 'POST', '/api/admin/users', { body: { username: 'dave', password: 'x' } }),
      409,
      'CONFLICT',
    );
    const login = await call(sb, 'POST', '/api/auth/login', {
      body: { username: 'dave', password: 'd' },
      token: null,
    });
    expect(login.status).toBe(200);
    await call(sb, 'PATCH', `/api/admin/users/${created.body.id}`, { body: { is_active: false } });
    expectStructuredError(
      await call(sb, 'GET', '/api/users/me', { token: login.body.access_token }),
      401,
      'auth.invalid_token',
    );
  });

  it('sets plugin roles and checks/schedules plugin updates', async () => {
    const set = await call(sb, 'PUT', '/api/admin/plugins/peak-qc/roles', { body: { roles: ['admin'] } });
    expect(set.body).toEqual({ plugin_name: 'peak-qc', roles: ['admin'] });
    expect((await call(sb, 'GET', '/api/admin/plugins/peak-qc/roles')).body.roles).toEqual(['admin']);
    expectStructuredError(
      await call(sb, 'PUT', '/api/admin/plugins/peak-qc/roles', { body: { roles: ['wizard'] } }),
      400,
      'VALIDATION_ERROR',
    );
    const check = await call(sb, 'GET', '/api/updates/check');
    expect(check.body.plugins).toContainEqual(
      expect.objectContaining({ name: 'peak-qc', update_available: true }),
    );
    const upd = await call(sb, 'POST', '/api/updates/plugins/peak-qc');
    expect(upd.body).toMatchObject({ plugin_name: 'peak-qc', status: 'scheduled' });
  });
});

describe('OPTIONS', () => {
  it('answers 204 with the allowed methods of a path, 404 for unknown paths', async () => {
    const r = await call(sb, 'OPTIONS', '/api/experiments/7', { token: null });
    expect(r.status).toBe(204);
    expect(r.headers.get('allow')).toBe('GET, PATCH, DELETE, OPTIONS');
    expect((await call(sb, 'OPTIONS', '/api/auth/login', { token: null })).headers.get('allow')).toBe(
      'POST, OPTIONS',
    );
    expect((await call(sb, 'OPTIONS', '/api/nowhere', { token: null })).status).toBe(404);
  });
});
