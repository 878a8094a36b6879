// Contract tests for experiments, design data and results over real HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { call, expectStructuredError, login } from './helpers.js';

let sb: Sandbox;
let alice: string;

beforeAll(async () => {
  sb = await startSandbox({ users: [{ username: 'alice', password: 'alice-pw' }], authRateLimit: false });
  alice = await login(sb, 'alice', 'alice-pw');
});
afterAll(() => sb.close());

async function createExperiment(body: Record<string, unknown>, token?: string) {
  const r = await call(sb, 'POST', '/api/experiments', { body, token });
  expect(r.status, r.text).toBe(201);
  return r.body;
}

describe('experiments', () => {
  it('creates with a server-assigned, type-scoped code that is never reused', async () => {
    const a = await createExperiment({ name: 'Codes A', experiment_type: 'lcms_batch' });
    const b = await createExperiment({ name: 'Codes B', experiment_type: 'lcms_batch' });
    const c = await createExperiment({ name: 'Codes C', experiment_type: 'something_new' });
    expect(a.experiment_code).toMatch(/^LCM-EXP-\d{3}$/);
    expect(Number(b.experiment_code.slice(-3))).toBe(Number(a.experiment_code.slice(-3)) + 1);
    expect(c.experiment_code).toMatch(/^EXP-\d{3}$/);
    expect(a).toMatchObject({
      status: 'planned',
      tags: {},
      has_design_data: false,
      created_by: 1,
      project_id: null,
    });
    expect(typeof a.id).toBe('number');

    const next = await call(sb, 'GET', '/api/experiments/next-seq?experiment_type=lcms_batch');
    expect(next.body).toEqual({
      experiment_type: 'lcms_batch',
      next_seq: Number(b.experiment_code.slice(-3)) + 1,
      next_code: `LCM-EXP-${String(Number(b.experiment_code.slice(-3)) + 1).padStart(3, '0')}`,
    });
    expect((await call(sb, 'DELETE', `/api/experiments/${b.id}`)).status).toBe(204);
    const d = await createExperiment({ name: 'Codes D', experiment_type: 'lcms_batch' });
    expect(d.experiment_code).toBe(next.body.next_code);
    expectStructuredError(await call(sb, 'GET', '/api/experiments/next-seq'), 422, 'validation.request');
  });

  it('gets, and 404s with the structured body for a missing id; 422 for a non-integer id', async () => {
    const e = await createExperiment({
      name: 'Get me',
      experiment_type: 'general',
      notes: 'n',
      tags: { k: 'v' },
    });
    const r = await call(sb, 'GET', `/api/experiments/${e.id}`);
    expect(r.status).toBe(200);
    expect(r.body).toEqual(e);
    for (const key of [
      'id',
      'experiment_code',
      'name',
      'experiment_type',
      'status',
      'project_id',
      'project',
      'notes',
      'tags',
    ]) {
      expect(r.body).toHaveProperty(key);
    }
    for (const key of [
      'custom_metadata',
      'parent_experiment_id',
      'start_date',
      'end_date',
      'created_by',
      'created_at',
      'updated_at',
    ]) {
      expect(r.body).toHaveProperty(key);
    }
    expectStructuredError(await call(sb, 'GET', '/api/experiments/999999'), 404, 'NOT_FOUND');
    expectStructuredError(await call(sb, 'GET', '/api/experiments/abc'), 422, 'validation.request');
  });

  it('validates create bodies: tags must be an object (422), fields typed, project must exist (400)', async () => {
    const tags = await call(sb, 'POST', '/api/experiments', {
      body: { name: 'x', experiment_type: 'general', tags: ['a'] },
    });
    expectStructuredError(tags, 422, 'validation.request');
    expect(tags.body.details).toEqual([
      { loc: ['body', 'tags'], msg: expect.any(String), type: 'dict_type' },
    ]);
    const missing = await call(sb, 'POST', '/api/experiments', { body: {} });
    expect(missing.body.details.map((d: { loc: string[] }) => d.loc.join('.'))).toEqual([
      'body.name',
      'body.experiment_type',
    ]);
    expectStructuredError(
      await call(sb, 'POST', '/api/experiments', {
        body: { name: 'x', experiment_type: 'g', project_id: 424242 },
      }),
      400,
      'VALIDATION_ERROR',
    );
    expectStructuredError(
      await call(sb, 'POST', '/api/experiments', {
        body: { name: 'x', experiment_type: 'g', start_date: 'May 1st' },
      }),
      422,
      'validation.request',
    );
    const bad = await call(sb, 'POST', '/api/experiments', {
      rawBody: '{"name": ',
      headers: { 'content-type': 'application/json' },
    });
    expectStructuredError(bad, 422, 'validation.request');
    expect(bad.body.details[0].type).toBe('json_invalid');
  });

  it('enforces status moves: planned → ongoing → completed; cancelled only back to planned', async () => {
    const e = await createExperiment({ name: 'Lifecycle', experiment_type: 'general' });
    const patch = (status: string, token?: string) =>
      call(sb, 'PATCH', `/api/experiments/${e.id}`, { body: { status }, token });
    expectStructuredError(await patch('completed'), 400, 'VALIDATION_ERROR');
    expect((await patch('cancelled')).body.status).toBe('cancelled');
    expectStructuredError(await patch('ongoing'), 400, 'VALIDATION_ERROR');
    expect((await patch('planned')).body.status).toBe('planned');
    expect((await patch('planned')).status).toBe(200);
    expect((await patch('ongoing')).body.status).toBe('ongoing');
    expectStructuredError(await patch('planned'), 400, 'VALIDATION_ERROR');
    expect((await patch('completed')).body.status).toBe('completed');
    expectStructuredError(await patch('finished'), 422, 'validation.request');
  });

  it('makes completed experiments read-only to non-admins (403) but not to admins', async () => {
    const e = await createExperiment({ name: 'Done', experiment_type: 'general' }, alice);
    await call(sb, 'PATCH', `/api/experiments/${e.id}`, { body: { status: 'ongoing' }, token: alice });
    expect(
      (await call(sb, 'PATCH', `/api/experiments/${e.id}`, { body: { status: 'completed' }, token: alice }))
        .status,
    ).toBe(200);
    const path = `/api/experiments/${e.id}`;
    expectStructuredError(
      await call(sb, 'PATCH', path, { body: { notes: 'late' }, token: alice }),
      403,
      'PERMISSION_DENIED',
    );
    expectStructuredError(await call(sb, 'DELETE', path, { token: alice }), 403, 'PERMISSION_DENIED');
    expectStructuredError(
      await call(sb, 'PUT', `${path}/data`, { body: { plugin_id: 'p', data: {} }, token: alice }),
      403,
      'PERMISSION_DENIED',
    );
    expectStructuredError(
      await call(sb, 'PUT', `${path}/results/peak-qc`, { body: { result: 1 }, token: alice }),
      403,
      'PERMISSION_DENIED',
    );
    expect((await call(sb, 'GET', path, { token: alice })).status).toBe(200);
    const admin = await call(sb, 'PATCH', path, { body: { notes: 'admin fix' } });
    expect(admin.status).toBe(200);
    expect(admin.body.notes).toBe('admin fix');
  });

  it('updates only the fields sent; tags replace as an object; null clears nullable fields', async () => {
    const e = await createExperiment({
      name: 'Patchy',
      experiment_type: 'general',
      notes: 'keep',
      tags: { a: 1 },
      start_date: '2026-05-01',
    });
    const r = await call(sb, 'PATCH', `/api/experiments/${e.id}`, {
      body: { tags: { b: { nested: true } }, start_date: null },
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      notes: 'keep',
      tags: { b: { nested: true } },
      start_date: null,
      name: 'Patchy',
    });
    expectStructuredError(
      await call(sb, 'PATCH', `/api/experiments/${e.id}`, { body: { tags: 'x=1' } }),
      422,
      'validation.request',
    );
    expectStructuredError(
      await call(sb, 'PATCH', '/api/experiments/999999', { body: { name: 'n' } }),
      404,
      'NOT_FOUND',
    );
  });

  it('lists experiment types as a plain array', async () => {
    const r = await call(sb, 'GET', '/api/experiments/experiment-types');
    expect(Array.isArray(r.body)).toBe(true);
    expect(r.body).toContainEqual(
      expect.objectContaining({ value: 'lcms_batch', label: expect.any(String) }),
    );
  });
});

describe('experiment list filters', () => {
  let local: Sandbox;
  let bob: string;
  let ids: Record<string, number>;

  beforeAll(async () => {
    let clock = Date.parse('2026-01-01T00:00:00Z');
    local = await startSandbox({
      users: [{ username: 'bob', password: 'b' }],
      now: () => clock,
      authRateLimit: false,
    });
    // A PAT: the fake clock moves a day per experiment, far past any session lifetime.
    bob = local.createToken({ username: 'bob' });
    const proj = (await call(local, 'POST', '/api/projects', { body: { name: 'Flux' } })).body;
    ids = {};
    const mk = async (name: string, body: Record<string, unknown>, token?: string) => {
      clock += 86_400_000;
      const r = await call(local, 'POST', '/api/experiments', { body: { name, ...body }, token });
      expect(r.status, r.text).toBe(201);
      ids[name] = r.body.id;
    };
    await mk('Alpha run', { experiment_type: 'lcms_batch', project_id: proj.id, notes: 'glucose tracer' });
    await mk('Beta run', { experiment_type: 'lcms_batch', project_id: proj.id });
    await mk('Gamma', { experiment_type: 'drug_response' }, bob);
    await mk('Delta', { experiment_type: 'general', notes: 'has GLUCOSE too' }, bob);
    await call(local, 'PATCH', `/api/experiments/${ids['Beta run']}`, { body: { status: 'ongoing' } });
  });
  afterAll(() => local.close());

  const names = async (query: string, token?: string) => {
    const r = await call(local, 'GET', `/api/experiments${query}`, { token });
    expect(r.status, r.text).toBe(200);
    expect(Object.keys(r.body).sort()).toEqual(['experiments', 'total']);
    return { names: r.body.experiments.map((e: { name: string }) => e.name), total: r.body.total };
  };

  it('filters by every documented parameter', async () => {
    expect((await names('?sort_order=asc')).names).toEqual(['Alpha run', 'Beta run', 'Gamma', 'Delta']);
    expect((await names('?status=ongoing')).names).toEqual(['Beta run']);
    expect((await names('?experiment_type=lcms_batch&sort_order=asc')).names).toEqual([
      'Alpha run',
      'Beta run',
    ]);
    expect((await names('?project=Flux&sort_order=asc')).names).toEqual(['Alpha run', 'Beta run']);
    expect((await names('?project=Nope')).names).toEqual([]);
    expect((await names('?project_id=1&sort_order=asc')).total).toBe(2);
    expect((await names('?search=glucose&sort_order=asc')).names).toEqual(['Alpha run', 'Delta']);
    expect((await names('?search=DR-00')).names).toEqual(['Gamma']);
    expect((await names('?mine=true&sort_order=asc', bob)).names).toEqual(['Gamma', 'Delta']);
    expect((await names('?created_by=admin&sort_order=asc')).names).toEqual(['Alpha run', 'Beta run']);
    expect((await names('?created_by=1&sort_order=asc')).names).toEqual(['Alpha run', 'Beta run']);
    expect((await names('?created_after=2026-01-03T12:00:00Z&sort_order=asc')).names).toEqual([
      'Gamma',
      'Delta',
    ]);
    expect((await names('?created_before=2026-01-04T12:00:00Z&sort_order=asc')).names).toEqual([
      'Alpha run',
      'Beta run',
      'Gamma',
    ]);
  });

  it('sorts and pages with skip/limit and a total', async () => {
    expect((await names('')).names).toEqual(['Delta', 'Gamma', 'Beta run', 'Alpha run']);
    expect((await names('?sort_by=name&sort_order=asc')).names).toEqual([
      'Alpha run',
      'Beta run',
      'Delta',
      'Gamma',
    ]);
    expect((await names('?sort_by=status&sort_order=asc&limit=1')).names).toEqual(['Beta run']);
    const page = await names('?sort_order=asc&skip=1&limit=2');
    expect(page).toEqual({ names: ['Beta run', 'Gamma'], total: 4 });
    expect((await names('?skip=10')).names).toEqual([]);
    expectStructuredError(
      await call(local, 'GET', '/api/experiments?sort_by=color'),
      422,
      'validation.request',
    );
    expectStructuredError(await call(local, 'GET', '/api/experiments?limit=0'), 422, 'validation.request');
    expectStructuredError(
      await call(local, 'GET', '/api/experiments?status=done'),
      422,
      'validation.request',
    );
  });

  it('defaults limit to 100', async () => {
    for (let i = 0; i < 101; i++)
      await call(local, 'POST', '/api/experiments', {
        body: { name: `bulk ${i}`, experiment_type: 'general' },
      });
    const r = await call(local, 'GET', '/api/experiments');
    expect(r.body.experiments).toHaveLength(100);
    expect(r.body.total).toBe(105);
  });
});

describe('design data and results', () => {
  it('upserts, reads, summarises, exports and deletes design data; has_design_data follows', async () => {
    const e = await createExperiment({ name: 'Designed', experiment_type: 'lcms_batch' });
    const path = `/api/experiments/${e.id}/data`;
    expectStructuredError(await call(sb, 'GET', path), 404, 'NOT_FOUND');
    const data = {
      samples: [
        { well: 'A1', conc: 1.5 },
        { well: 'A2', conc: 'x,"y"' },
      ],
      method: 'HILIC',
    };
    const saved = await call(sb, 'PUT', path, { body: { plugin_id: 'lcms-sequence', data } });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({
      experiment_id: e.id,
      plugin_id: 'lcms-sequence',
      data,
      schema_version: '1.0',
    });
    expect(saved.body.updated_at).toEqual(expect.any(String));
    const again = await call(sb, 'PUT', path, {
      body: { plugin_id: 'lcms-sequence', data: { v: 2 }, schema_version: '2.0' },
    });
    expect(again.body).toMatchObject({ data: { v: 2 }, schema_version: '2.0' });
    expect((await call(sb, 'GET', path)).body.data).toEqual({ v: 2 });
    expect((await call(sb, 'GET', `/api/experiments/${e.id}`)).body.has_design_data).toBe(true);

    await call(sb, 'PUT', path, { body: { plugin_id: 'lcms-sequence', data } });
    const tree = await call(sb, 'GET', `${path}/tree`);
    expect(tree.body.tree).toMatchObject({
      type: 'object',
      children: [
        { key: 'samples', type: 'array' },
        { key: 'method', type: 'string', value: 'HILIC' },
      ],
    });
    const summary = await call(sb, 'GET', `${path}/summary`);
    expect(summary.body).toMatchObject({
      experiment_id: e.id,
      plugin_id: 'lcms-sequence',
      top_level_keys: ['samples', 'method'],
    });
    const csv = await call(sb, 'GET', `${path}/export?format=csv`);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.text).toBe('well,conc\nA1,1.5\nA2,"x,""y"""\n');
    const js = await call(sb, 'GET', `${path}/export?format=json`);
    expect(js.body.data).toEqual(data);
    expectStructuredError(await call(sb, 'GET', `${path}/export?format=xml`), 422, 'validation.request');

    expectStructuredError(await call(sb, 'PUT', path, { body: { data: {} } }), 422, 'validation.request');
    expect((await call(sb, 'DELETE', path)).status).toBe(204);
    expect((await call(sb, 'GET', `/api/experiments/${e.id}`)).body.has_design_data).toBe(false);
    expectStructuredError(await call(sb, 'DELETE', path), 404, 'NOT_FOUND');
    expectStructuredError(
      await call(sb, 'PUT', '/api/experiments/999999/data', { body: { plugin_id: 'p', data: 1 } }),
      404,
      'NOT_FOUND',
    );
  });

  it('keeps one result per experiment and plugin (upsert), lists, gets and deletes them', async () => {
    const e = await createExperiment({ name: 'Analysed', experiment_type: 'general' });
    const base = `/api/experiments/${e.id}/results`;
    expect((await call(sb, 'GET', base)).body).toEqual({ results: [] });
    expectStructuredError(await call(sb, 'GET', `${base}/peak-qc`), 404, 'NOT_FOUND');
    const first = await call(sb, 'PUT', `${base}/peak-qc`, { body: { result: { score: 1 } } });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ experiment_id: e.id, plugin_id: 'peak-qc', result: { score: 1 } });
    await call(sb, 'PUT', `${base}/peak-qc`, { body: { result: { score: 2 } } });
    await call(sb, 'PUT', `${base}/dose-response`, { body: { result: [1, 2] } });
    const list = await call(sb, 'GET', base);
    expect(
      list.body.results.map((r: { plugin_id: string; result: unknown }) => [r.plugin_id, r.result]),
    ).toEqual([
      ['dose-response', [1, 2]],
      ['peak-qc', { score: 2 }],
    ]);
    expect((await call(sb, 'GET', `${base}/peak-qc`)).body.created_at).toBe(first.body.created_at);
    expectStructuredError(
      await call(sb, 'PUT', `${base}/peak-qc`, { body: { score: 3 } }),
      422,
      'validation.request',
    );
    expect((await call(sb, 'DELETE', `${base}/peak-qc`)).status).toBe(204);
    expectStructuredError(await call(sb, 'DELETE', `${base}/peak-qc`), 404, 'NOT_FOUND');
    expect((await call(sb, 'GET', base)).body.results).toHaveLength(1);
  });

  it('deleting an experiment deletes its design data and results', async () => {
    const e = await createExperiment({ name: 'Doomed', experiment_type: 'general' });
    await call(sb, 'PUT', `/api/experiments/${e.id}/data`, { body: { plugin_id: 'p', data: 1 } });
    await call(sb, 'PUT', `/api/experiments/${e.id}/results/peak-qc`, { body: { result: 1 } });
    expect((await call(sb, 'DELETE', `/api/experiments/${e.id}`)).status).toBe(204);
    expectStructuredError(await call(sb, 'GET', `/api/experiments/${e.id}`), 404, 'NOT_FOUND');
    expectStructuredError(await call(sb, 'GET', `/api/experiments/${e.id}/data`), 404, 'NOT_FOUND');
    expectStructuredError(
      await call(sb, 'GET', `/api/experiments/${e.id}/results/peak-qc`),
      404,
      'NOT_FOUND',
    );
    const admin = await call(sb, 'GET', '/api/admin/status');
    expect(admin.body.counts.experiments).toBeGreaterThan(0);
  });
});
