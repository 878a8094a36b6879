// Every resource call, against the real sandbox over HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, type MintClient } from '../../src/client/index.js';
import { caught, harness, type Harness } from './helpers.js';

let h: Harness;
let client: MintClient;

beforeAll(async () => {
  h = await harness({ users: [{ username: 'ann', password: 'ann-pw', role: 'member' }] });
  client = h.client();
});
afterAll(() => h.close());

describe('platform', () => {
  it('health, whoami, verify', async () => {
    expect((await client.health()).status).toBe('ok');
    expect(await client.whoami()).toMatchObject({ username: 'admin', role: 'admin' });
    expect(await client.auth.verify()).toMatchObject({ valid: true, username: 'admin' });
  });

  it('logs in with username and password on first use', async () => {
    const ann = h.client({ token: undefined, username: 'ann', password: 'ann-pw' });
    expect(ann.token).toBeUndefined();
    expect((await ann.whoami()).username).toBe('ann');
    expect(ann.token).toBeTruthy();
    ann.logout();
    expect(ann.token).toBeUndefined();
  });

  it('login() then refresh() give new session tokens', async () => {
    const c = h.client({ token: undefined });
    const res = await c.login('ann', 'ann-pw');
    expect(res.token_type.toLowerCase()).toBe('bearer');
    expect(c.token).toBe(res.access_token);
    const refreshed = await c.auth.refresh();
    expect(c.token).toBe(refreshed.access_token);
    expect((await c.whoami()).username).toBe('ann');
  });
});

describe('experiments', () => {
  it('create, get, update, list with filters, next-seq, types, delete', async () => {
    const types = await client.experiments.listTypes();
    expect(types.map((t) => t.value)).toContain('lcms_batch');
    const seq = await client.experiments.nextSeq('lcms_batch');
    expect(seq.experiment_type).toBe('lcms_batch');

    const exp = await client.experiments.create({
      name: 'res-batch-1',
      experiment_type: 'lcms_batch',
      tags: { 'mint-manifest.stack': 'res' },
      notes: 'first',
    });
    expect(exp.experiment_code).toBe(seq.next_code);
    expect(await client.experiments.get(exp.id)).toMatchObject({
      name: 'res-batch-1',
      tags: { 'mint-manifest.stack': 'res' },
    });

    const updated = await client.experiments.update(exp.id, { status: 'ongoing', notes: 'second' });
    expect(updated).toMatchObject({ status: 'ongoing', notes: 'second' });

    const found = await client.experiments.list({
      search: 'res-batch-1',
      status: 'ongoing',
      experiment_type: 'lcms_batch',
    });
    expect(found.map((e) => e.id)).toEqual([exp.id]);
    expect(await client.experiments.list({ search: 'res-batch-1', status: 'completed' })).toEqual([]);

    await client.experiments.delete(exp.id);
    expect(await caught(client.experiments.get(exp.id))).toBeInstanceOf(NotFoundError);
  });

  it('design data: save, get, tree, summary, export json/csv, delete', async () => {
    const exp = await client.experiments.create({ name: 'res-design', experiment_type: 'lcms_batch' });
    expect(await caught(client.experiments.designData.get(exp.id))).toBeInstanceOf(NotFoundError);
    const data = {
      samples: [
        { id: 'S1', well: 'A1' },
        { id: 'S2', well: 'A2' },
      ],
    };
    const saved = await client.experiments.designData.save(exp.id, { plugin_id: 'lcms-sequence', data });
    expect(saved).toMatchObject({ experiment_id: exp.id, plugin_id: 'lcms-sequence', schema_version: '1.0' });
    expect((await client.experiments.designData.get(exp.id)).data).toEqual(data);
    expect(await client.experiments.designData.tree(exp.id)).toMatchObject({
      experiment_id: exp.id,
      plugin_id: 'lcms-sequence',
      tree: { type: 'object', children: [{ key: 'samples', type: 'array' }] },
    });
    expect(await client.experiments.designData.summary(exp.id)).toMatchObject({
      experiment_id: exp.id,
      plugin_id: 'lcms-sequence',
      top_level_keys: ['samples'],
    });
    const json = await client.experiments.designData.export(exp.id, 'json');
    expect(JSON.stringify(json)).toContain('S2');
    const csv = await client.experiments.designData.export(exp.id, 'csv');
    expect(typeof csv).toBe('string');
    expect(csv).toContain('S2');
    expect((await client.experiments.get(exp.id)).has_design_data).toBe(true);
    await client.experiments.designData.delete(exp.id);
    expect(await caught(client.experiments.designData.get(exp.id))).toBeInstanceOf(NotFoundError);
  });

  it('analysis results: save (twice replaces), get, list, delete', async () => {
    const exp = await client.experiments.create({ name: 'res-analysis', experiment_type: 'lcms_batch' });
    expect(await client.experiments.analysis.list(exp.id)).toEqual([]);
    await client.experiments.analysis.save(exp.id, 'peak-qc', { passed: 10 });
    const again = await client.experiments.analysis.save(exp.id, 'peak-qc', { passed: 12 });
    expect(again).toMatchObject({ experiment_id: exp.id, plugin_id: 'peak-qc', result: { passed: 12 } });
    expect((await client.experiments.analysis.get(exp.id, 'peak-qc')).result).toEqual({ passed: 12 });
    const all = await client.experiments.analysis.list(exp.id);
    expect(all.map((r) => r.plugin_id)).toEqual(['peak-qc']);
    await client.experiments.analysis.delete(exp.id, 'peak-qc');
    expect(await caught(client.experiments.analysis.get(exp.id, 'peak-qc'))).toBeInstanceOf(NotFoundError);
  });
});

describe('projects', () => {
  it('create, get, update, list, experiments, members, delete', async () => {
    const p = await client.projects.create({ name: 'res-project', description: 'd' });
    expect(await client.projects.get(p.id)).toMatchObject({ name: 'res-project' });
    expect(await client.projects.update(p.id, { description: 'd2' })).toMatchObject({ description: 'd2' });
    expect((await client.projects.list({ search: 'res-project' })).map((x) => x.id)).toEqual([p.id]);
    const e = await client.experiments.create({
      name: 'res-in-project',
      experiment_type: 'general',
      project_id: p.id,
    });
    expect((await client.projects.experiments(p.id)).map((x) => x.id)).toEqual([e.id]);
    expect((await client.projects.experiments(p.id, { skip: 0, limit: 1 })).map((x) => x.id)).toEqual([e.id]);
    expect((await client.experiments.list({ project_id: p.id })).map((x) => x.id)).toEqual([e.id]);
    expect(await client.projects.members(p.id)).toEqual([
      expect.objectContaining({ username: 'admin', role: 'owner' }),
    ]);
    let seen = 0;
    for await (const proj of client.projects.iterate({ search: 'res-project' }))
      seen += proj.id === p.id ? 1 : 0;
    expect(seen).toBe(1);
    await client.projects.delete(p.id);
    expect(await caught(client.projects.get(p.id))).toBeInstanceOf(NotFoundError);
    expect(await caught(client.experiments.get(e.id))).toBeInstanceOf(NotFoundError);
  });
});

describe('plugins, admin, updates', () => {
  it('plugin config is a PATCH merge: changed keys replace, null clears, others stay, no If-Match', async () => {
    const plugins = await client.plugins.list();
    expect(plugins.map((p) => p.name)).toContain('peak-qc');
    const cfg = await client.plugins.getConfig('peak-qc');
    expect(typeof cfg.revision).toBe('string');
    const first = await client.plugins.patchConfig('peak-qc', { threshold: 0.5, mode: 'strict' });
    expect(first.config).toEqual({ threshold: 0.5, mode: 'strict' });
    expect(first.revision).not.toBe(cfg.revision);
    const second = await client.plugins.patchConfig('peak-qc', { mode: null, window: 3 });
    expect(second.config).toEqual({ threshold: 0.5, window: 3 });
    expect((await client.plugins.getConfig('peak-qc')).config).toEqual({ threshold: 0.5, window: 3 });
    const sent = h.sandbox
      .log()
      .filter((e) => e.route === '/api/plugins/{name}/config' && e.method === 'PATCH');
    expect(sent).toHaveLength(2);
  });

  it("a plugin's own settings: If-Match with the revision read, a stale one → ConflictError", async () => {
    const peak = (await client.plugins.list()).find((p) => p.name === 'peak-qc');
    expect(peak?.api_prefix).toBe('/api/peak-qc');
    const settings = client.plugins.settings(peak!);
    const read = await settings.get();
    const next = await settings.put({ threshold: 0.5 }, read.revision);
    expect(next.settings).toEqual({ threshold: 0.5 });
    expect(next.revision).not.toBe(read.revision);
    const stale = await caught(settings.put({ threshold: 0.9 }, read.revision));
    expect(stale).toBeInstanceOf(ConflictError);
    expect((await settings.get()).settings).toEqual({ threshold: 0.5 });
    await expect(client.plugins.settings('https://evil.example/api').get()).rejects.toThrow(/under \/api/);
  });

  it('admin calls', async () => {
    expect(await client.admin.status()).toMatchObject({ status: 'ok' });
    expect(await client.admin.system()).toMatchObject({ version: expect.any(String), storage: 'sandbox' });
    const user = await client.admin.createUser({ username: 'bob', password: 'bob-pw', role: 'member' });
    expect((await client.admin.users()).map((u) => u.username)).toContain('bob');
    expect(await client.admin.updateUser(user.id, { is_active: false })).toMatchObject({ is_active: false });
    expect((await client.admin.roles()).map((r) => r.name)).toEqual(
      expect.arrayContaining(['admin', 'member']),
    );
    await client.admin.setPluginRoles('peak-qc', ['admin']);
    expect(await client.admin.pluginRoles('peak-qc')).toEqual(['admin']);
  });

  it('updates calls', async () => {
    expect(await client.updates.check()).toHaveProperty('plugins');
    expect(await client.updates.updatePlugin('peak-qc')).toMatchObject({ plugin_name: 'peak-qc' });
  });
});
