// The pure planner: hand-built manifests and live states, no network.
import { describe, expect, it } from 'vitest';
import { buildPlan, planFingerprint, staleObjects } from '../../src/actions/build.js';
import { emptyLiveState, type LiveState } from '../../src/actions/live.js';
import type { Experiment } from '../../src/client/models.js';
import type { ExperimentSpec, ResolvedManifest } from '../../src/manifest/model.js';

const src = { file: 'mint.yaml', line: 1, column: 1, path: '' };
const STACK = 's';

function spec(key: string, extra: Partial<ExperimentSpec> = {}): ExperimentSpec {
  return { key, name: `Exp ${key}`, experiment_type: 't', project: 'p', source: src, ...extra };
}

function manifest(experiments: ExperimentSpec[]): ResolvedManifest {
  return {
    version: 1,
    stack: STACK,
    files: ['mint.yaml'],
    projects: [{ key: 'p', name: 'P', source: src }],
    experiments,
  };
}

let nextId = 100;
function liveExp(key: string, extra: Partial<Experiment> = {}): Experiment {
  const id = nextId++;
  return {
    id,
    experiment_code: `EXP-${id}`,
    name: `Exp ${key}`,
    experiment_type: 't',
    status: 'planned',
    project_id: 1,
    project: 'P',
    notes: null,
    tags: { 'mint-manifest.stack': STACK, 'mint-manifest.key': key },
    has_design_data: false,
    updated_at: '2026-01-01T00:00:00Z',
    ...extra,
  };
}

function liveWith(...exps: Experiment[]): LiveState {
  const live = emptyLiveState();
  live.projects.set('p', { id: 1, name: 'P' });
  for (const e of exps)
    live.experiments.set(String(e.tags['mint-manifest.key']), { experiment: e, matchedBy: 'tags' });
  return live;
}

describe('buildPlan', () => {
  it('compares only what the manifest sets, and leaves foreign tags alone', () => {
    const e = liveExp('a', {
      notes: 'set by hand',
      tags: { 'mint-manifest.stack': STACK, 'mint-manifest.key': 'a', x: 1 },
    });
    const { plan } = buildPlan(manifest([spec('a', { tags: { y: 2 } })]), liveWith(e));
    expect(plan.actions).toHaveLength(1);
    expect(plan.actions[0].changes).toEqual([{ field: 'tags.y', after: 2 }]);
    expect(plan.summary).toMatchObject({ create: 0, update: 1, delete: 0, unchanged: 0 });
  });

  it('plans creates with dependencies and holds the move to completed until design and analysis are written', () => {
    const s = spec('n', {
      status: 'completed',
      design: { plugin_id: 'd', schema_version: '1.0', data: { a: 1 }, source: src },
      analysis: [{ plugin_id: 'q', result: { ok: true }, source: src }],
    });
    const live = emptyLiveState();
    live.projects.set('p', undefined);
    const { plan } = buildPlan(manifest([s]), live);
    expect(plan.actions.map((a) => [a.id, a.dependsOn])).toEqual([
      ['project.create:p', []],
      ['experiment.create:n', ['project.create:p']],
      ['design.save:n', ['experiment.create:n']],
      ['analysis.save:n:q', ['experiment.create:n']],
      ['experiment.status:n', ['experiment.create:n', 'design.save:n', 'analysis.save:n:q']],
    ]);
    expect(plan.actions[1].changes.find((c) => c.field === 'status')).toBeUndefined();
    expect(plan.actions[4].changes).toEqual([{ field: 'status', before: 'planned', after: 'completed' }]);
    expect(plan.warnings.map((w) => w.code)).toEqual(['status.multi-step']);
  });

  it('lists orphans without prune and deletes them (and duplicates) with it', () => {
    const keep = liveExp('a');
    const orphan = liveExp('gone');
    const dupe = liveExp('a');
    const live = liveWith(keep);
    live.orphans.push({ experiment: orphan, key: 'gone', reason: 'orphaned: no longer in the manifest' });
    live.orphans.push({ experiment: dupe, key: 'a', reason: 'duplicate' });
    const m = manifest([spec('a')]);
    const noPrune = buildPlan(m, live).plan;
    expect(noPrune.actions).toEqual([]);
    expect(noPrune.hasChanges).toBe(false);
    expect(noPrune.summary.orphaned).toBe(2);
    const pruned = buildPlan(m, live, { prune: true }).plan;
    expect(pruned.actions.map((a) => a.id)).toEqual([
      'experiment.delete:gone',
      `experiment.delete:a@${dupe.experiment_code}`,
    ]);
    expect(pruned.summary).toMatchObject({ delete: 2, orphaned: 0 });
  });

  it('marks adoption by code and makes children wait for it', () => {
    const e = liveExp('x', { tags: { lab: 'z' } });
    const live = emptyLiveState();
    live.projects.set('p', { id: 1, name: 'P' });
    live.experiments.set('x', { experiment: e, matchedBy: 'code', analysis: new Map([['q', null]]) });
    const { plan } = buildPlan(
      manifest([
        spec('x', { code: e.experiment_code, analysis: [{ plugin_id: 'q', result: 1, source: src }] }),
      ]),
      live,
    );
    expect(plan.actions[0]).toMatchObject({ id: 'experiment.update:x', adopt: true });
    expect(plan.actions[1]).toMatchObject({ id: 'analysis.save:x:q', dependsOn: ['experiment.update:x'] });
  });
});

describe('fingerprint and staleness', () => {
  it('depends on the actions only: not on live ids, timestamps or key order', () => {
    const m = manifest([spec('a', { name: 'New' })]);
    const one = buildPlan(m, liveWith(liveExp('a', { updated_at: '2026-01-01T00:00:00Z' }))).plan;
    const two = buildPlan(m, liveWith(liveExp('a', { updated_at: '2027-01-01T00:00:00Z' }))).plan;
    expect(one.fingerprint).toBe(two.fingerprint);
    expect(one.liveState['experiment:a']).not.toBe(two.liveState['experiment:a']);
    const other = buildPlan(manifest([spec('a', { name: 'Other' })]), liveWith(liveExp('a'))).plan;
    expect(other.fingerprint).not.toBe(one.fingerprint);
    expect(planFingerprint(STACK, true, one.actions)).not.toBe(one.fingerprint);
  });

  it('reports only changed objects the plans touch, plus appeared ones', () => {
    const m = manifest([spec('a', { name: 'New' }), spec('b')]);
    const a = liveExp('a');
    const b = liveExp('b');
    const saved = buildPlan(m, liveWith(a, b)).plan;
    const bEdited = buildPlan(m, liveWith(a, { ...b, notes: 'x', updated_at: 'later' })).plan;
    expect(staleObjects(saved, bEdited)).toEqual([]);
    const aEdited = buildPlan(m, liveWith({ ...a, updated_at: 'later' }, b)).plan;
    expect(staleObjects(saved, aEdited)).toEqual(['experiment:a was modified']);
    const withOrphan = liveWith(a, b);
    const o = liveExp('zz');
    withOrphan.orphans.push({ experiment: o, key: 'zz', reason: 'orphaned' });
    expect(staleObjects(saved, buildPlan(m, withOrphan).plan)).toEqual([`orphan:${o.id} appeared`]);
  });
});
