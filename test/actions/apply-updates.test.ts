// Update of each field kind, design and analysis add/change/remove, partial management.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apply, plan, PlanConflictError } from '../../src/actions/index.js';
import { byKey, startHarness, type Harness } from './helpers.js';

const STACK = 'upd';

interface Shape {
  name?: string;
  status?: string;
  notes?: string;
  tags?: string;
  start?: string;
  end?: string;
  type?: string;
  project?: string;
  design?: string;
  analysis?: string;
}

function manifest(s: Shape = {}): string {
  const opt = (k: string, v?: string) => (v === undefined ? '' : `    ${k}: ${v}\n`);
  return `version: 1
stack: ${STACK}
projects:
  - key: p1
    name: Updates one
  - key: p2
    name: Updates two
experiments:
  - key: x
    project: ${s.project ?? 'p1'}
    experiment_type: ${s.type ?? 'lcms_batch'}
    name: ${s.name ?? 'Original'}
${opt('status', s.status)}${opt('notes', s.notes)}${opt('tags', s.tags)}${opt('start_date', s.start)}${opt('end_date', s.end)}${s.design ?? ''}${s.analysis ?? ''}`;
}

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

async function applyShape(s: Shape) {
  const m = await h.load({ 'mint.yaml': manifest(s) });
  const out = await apply({ manifest: m, client: h.client });
  expect(out.result.summary.failed, JSON.stringify(out.result.results)).toBe(0);
  const again = await plan({ manifest: m, client: h.client });
  expect(again.actions, 'converged: a fresh plan has no changes').toEqual([]);
  return { plan: out.plan, x: byKey(await h.all(), STACK).get('x')! };
}

function fields(p: { actions: { changes: { field: string }[] }[] }): string[] {
  return p.actions.flatMap((a) => a.changes.map((c) => c.field)).sort();
}

describe('updating each field kind', () => {
  it('creates, then updates name, notes, dates, experiment_type and project one at a time', async () => {
    const first = await applyShape({});
    const id = first.x.id;

    let r = await applyShape({ name: 'Renamed' });
    expect(fields(r.plan)).toEqual(['name']);
    expect(r.plan.actions[0].changes[0]).toEqual({ field: 'name', before: 'Original', after: 'Renamed' });
    expect(r.x).toMatchObject({ id, name: 'Renamed' });

    r = await applyShape({ name: 'Renamed', notes: 'some notes' });
    expect(fields(r.plan)).toEqual(['notes']);
    expect(r.x.notes).toBe('some notes');

    r = await applyShape({ name: 'Renamed', notes: 'null' });
    expect(fields(r.plan)).toEqual(['notes']);
    expect(r.x.notes ?? null).toBeNull();

    r = await applyShape({ name: 'Renamed', start: '2026-05-01', end: '2026-05-09T12:00:00Z' });
    expect(fields(r.plan)).toEqual(['end_date', 'start_date']);
    // Same instants written differently are not a change.
    const same = await h.load({
      'mint.yaml': manifest({
        name: 'Renamed',
        start: '2026-05-01T00:00:00Z',
        end: '2026-05-09T14:00:00+02:00',
      }),
    });
    expect((await plan({ manifest: same, client: h.client })).actions).toEqual([]);

    r = await applyShape({ name: 'Renamed', type: 'method_development' });
    expect(fields(r.plan)).toEqual(['experiment_type']);
    expect(r.x.experiment_type).toBe('method_development');

    r = await applyShape({ name: 'Renamed', type: 'method_development', project: 'p2' });
    expect(fields(r.plan)).toEqual(['project']);
    expect(r.x.project).toBe('Updates two');
    expect(r.x.id).toBe(id);
  });

  it('merges tags: ours change, a tag set outside the manifest stays', async () => {
    const { x } = await applyShape({ tags: '{ a: "1", b: 2 }' });
    await h.client.experiments.update(x.id, { tags: { ...x.tags, foreign: 'keep-me' } });

    const r = await applyShape({ tags: '{ a: "changed", b: 2.0 }' });
    expect(r.plan.actions[0].changes).toEqual([{ field: 'tags.a', before: '1', after: 'changed' }]);
    expect(r.x.tags).toMatchObject({ a: 'changed', b: 2, foreign: 'keep-me', 'mint-manifest.key': 'x' });
  });

  it('removes a tag written as null, and reads it back gone from MINT', async () => {
    const { x } = await applyShape({ tags: '{ a: "1", owner: ann }' });
    await h.client.experiments.update(x.id, { tags: { ...x.tags, foreign: 'keep-me' } });
    const r = await applyShape({ tags: '{ a: "1", owner: null }' });
    expect(r.plan.actions[0].changes).toEqual([{ field: 'tags.owner', before: 'ann' }]);
    const live = await h.client.experiments.get(x.id);
    expect(live.tags).not.toHaveProperty('owner');
    expect(live.tags).toMatchObject({ a: '1', foreign: 'keep-me', 'mint-manifest.key': 'x' });
  });

  it('walks status moves MINT makes in several steps, and refuses at plan time a move it cannot make', async () => {
    await applyShape({ status: 'planned' });
    const r = await applyShape({ status: 'completed' });
    expect(r.x.status).toBe('completed');
    expect(r.plan.warnings.map((w) => w.code)).toContain('status.multi-step');

    // Nothing leaves completed, and no path is invented through cancelled: an error at the status line.
    h.sandbox.resetStats();
    const m = await h.load({ 'mint.yaml': manifest({ status: 'planned' }) });
    const err = await apply({ manifest: m, client: h.client }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlanConflictError);
    expect((err as Error).message).toBe(
      `cannot plan: mint.yaml:13: experiment x: status planned: ${r.x.experiment_code} is completed in MINT, and a completed experiment cannot move to planned: completed is final in MINT; change \`status\` to what MINT allows`,
    );
    expect(h.sandbox.stats().writes).toBe(0);
    expect((await h.client.experiments.get(r.x.id)).status).toBe('completed');
  });
});

const design = (data: string, extra = '') =>
  `    design:\n      plugin_id: lcms-sequence\n${extra}      data: ${data}\n`;
const analysis = (...items: string[]) => `    analysis:\n${items.map((i) => `      - ${i}\n`).join('')}`;

describe('design data and analysis results', () => {
  it('adds, changes (semantically) and removes design data', async () => {
    let r = await applyShape({ design: design('{ rows: [1, 2], mode: pos }') });
    expect(r.plan.actions.map((a) => a.id)).toEqual(['design.save:x']);
    expect(r.plan.actions[0].op).toBe('create');
    expect((await h.client.experiments.designData.get(r.x.id)).data).toEqual({ rows: [1, 2], mode: 'pos' });

    // Key order and 1.0 vs 1 are not changes.
    const same = await h.load({ 'mint.yaml': manifest({ design: design('{ mode: pos, rows: [1.0, 2] }') }) });
    expect((await plan({ manifest: same, client: h.client })).actions).toEqual([]);

    r = await applyShape({ design: design('{ rows: [1, 2, 3], mode: pos }') });
    expect(r.plan.actions.map((a) => `${a.id}/${a.op}`)).toEqual(['design.save:x/update']);
    expect((await h.client.experiments.designData.get(r.x.id)).data).toEqual({
      rows: [1, 2, 3],
      mode: 'pos',
    });

    // Unmanaged (no design key) leaves it alone.
    r = await applyShape({});
    expect(r.plan.actions).toEqual([]);
    expect(r.x.has_design_data).toBe(true);

    r = await applyShape({ design: '    design: null\n' });
    expect(r.plan.actions.map((a) => a.id)).toEqual(['design.delete:x']);
    expect(r.x.has_design_data).toBe(false);
    // Nothing left to delete: no action.
    const again = await h.load({ 'mint.yaml': manifest({ design: '    design: null\n' }) });
    expect((await plan({ manifest: again, client: h.client })).actions).toEqual([]);
  });

  it('adds, changes and removes analysis results; an unlisted plugin is untouched', async () => {
    const { x } = await applyShape({});
    await h.client.experiments.analysis.save(x.id, 'other-plugin', { mine: 'not managed' });

    let r = await applyShape({ analysis: analysis('{ plugin_id: peak-qc, result: { ok: true } }') });
    expect(r.plan.actions.map((a) => `${a.id}/${a.op}`)).toEqual(['analysis.save:x:peak-qc/create']);

    r = await applyShape({ analysis: analysis('{ plugin_id: peak-qc, result: { ok: false } }') });
    expect(r.plan.actions.map((a) => `${a.id}/${a.op}`)).toEqual(['analysis.save:x:peak-qc/update']);
    expect((await h.client.experiments.analysis.get(x.id, 'peak-qc')).result).toEqual({ ok: false });

    r = await applyShape({ analysis: analysis('{ plugin_id: peak-qc, result: null }') });
    expect(r.plan.actions.map((a) => `${a.id}/${a.op}`)).toEqual(['analysis.delete:x:peak-qc/delete']);
    const left = await h.client.experiments.analysis.list(x.id);
    expect(left.map((a) => a.plugin_id)).toEqual(['other-plugin']);
    expect(left[0].result).toEqual({ mine: 'not managed' });
  });
});
