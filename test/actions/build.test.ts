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

  it('lists orphans without prune (they are changes) and deletes them with it', () => {
    const keep = liveExp('a');
    const orphan = liveExp('gone');
    const live = liveWith(keep);
    live.orphans.push({ experiment: orphan, key: 'gone', reason: 'orphaned: no longer in the manifest' });
    const m = manifest([spec('a')]);
    const noPrune = buildPlan(m, live).plan;
    expect(noPrune.actions).toEqual([]);
    expect(noPrune.hasChanges).toBe(true);
    expect(noPrune.summary.orphaned).toBe(1);
    const pruned = buildPlan(m, live, { prune: true }).plan;
    expect(pruned.actions.map((a) => a.id)).toEqual(['experiment.delete:gone']);
    expect(pruned.summary).toMatchObject({ delete: 1, orphaned: 0 });
    expect(buildPlan(m, liveWith(keep)).plan.hasChanges).toBe(false);
  });

  it('reports experiments with the stack tag but no key, and never deletes them, even with prune', () => {
    const unkeyed = liveExp('x', { tags: { 'mint-manifest.stack': STACK } });
    const live = liveWith(liveExp('a'));
    live.unkeyed.push(unkeyed);
    // An older reader reported them as orphans with an empty key: still never deleted.
    const legacy = liveExp('y', { tags: { 'mint-manifest.stack': STACK } });
    live.orphans.push({ experiment: legacy, key: '', reason: 'orphaned' });
    const { plan } = buildPlan(manifest([spec('a')]), live, { prune: true });
    expect(plan.actions).toEqual([]);
    expect(plan.orphans).toEqual([]);
    expect(plan.unkeyed?.map((u) => u.code)).toEqual([unkeyed.experiment_code, legacy.experiment_code]);
    expect(plan.warnings.map((w) => w.message)).toContain(
      `${unkeyed.experiment_code} ("Exp x") is tagged for this stack without a key: not managed, never deleted; give it a \`mint-manifest.key\` tag or remove its stack tag`,
    );
  });

  it('leaves a duplicated key alone and lists its copies; --dedupe deletes only empty extras', () => {
    const first = liveExp('a');
    const empty = liveExp('a');
    const full = liveExp('b');
    const fullDupe = liveExp('b');
    const live = liveWith(first, full);
    live.duplicates.set('a', [first, empty]);
    live.duplicates.set('b', [full, fullDupe]);
    const specA = spec('a', { name: 'Renamed a', source: { ...src, line: 7 } });
    const m = manifest([specA, spec('b', { name: 'Renamed b' })]);
    const contents = new Map([
      [empty.id, []],
      [fullDupe.id, ['design data']],
    ]);

    const plain = buildPlan(m, live, { duplicateContents: contents }).plan;
    expect(plain.actions).toEqual([]);
    expect(plain.hasChanges).toBe(true);
    expect(plain.summary.duplicates).toBe(2);
    expect(plain.duplicates?.map((d) => [d.key, d.copies.map((c) => c.code), d.resolved])).toEqual([
      ['a', [first.experiment_code, empty.experiment_code], false],
      ['b', [full.experiment_code, fullDupe.experiment_code], false],
    ]);
    expect(plain.duplicates?.[0].source?.line).toBe(7);

    const deduped = buildPlan(m, live, { dedupe: true, duplicateContents: contents }).plan;
    expect(deduped.actions.map((a) => a.id)).toEqual([
      'experiment.update:a',
      `experiment.dedupe:a@${empty.experiment_code}`,
    ]);
    expect(deduped.duplicates?.map((d) => [d.key, d.resolved, d.blocker])).toEqual([
      ['a', true, undefined],
      ['b', false, `${fullDupe.experiment_code} holds design data`],
    ]);
    // A copy whose contents could not be read is never deleted.
    const unknown = buildPlan(m, live, { dedupe: true, duplicateContents: new Map() }).plan;
    expect(unknown.actions.filter((a) => a.op === 'delete')).toEqual([]);
  });

  it('manages tags removed with null, and schema_version only where it is written', () => {
    const e = liveExp('a', {
      tags: { 'mint-manifest.stack': STACK, 'mint-manifest.key': 'a', owner: 'ann' },
    });
    const live = liveWith(e);
    live.experiments.get('a')!.design = {
      experiment_id: e.id,
      plugin_id: 'd',
      schema_version: '2.0',
      data: { a: 1 },
    } as never;
    const noVersion = { plugin_id: 'd', data: { a: 1 }, source: src };
    const { plan } = buildPlan(
      manifest([spec('a', { tags: { owner: null, gone: null }, design: noVersion })]),
      live,
    );
    expect(plan.actions.map((a) => [a.id, a.changes])).toEqual([
      ['experiment.update:a', [{ field: 'tags.owner', before: 'ann' }]],
    ]);
    const changed = buildPlan(manifest([spec('a', { design: { ...noVersion, data: { a: 2 } } })]), live);
    expect(changed.plan.actions[0].changes.map((c) => c.field)).toEqual(['data']);
    expect(changed.steps.get('design.save:a')).toMatchObject({ keepVersion: '2.0' });
  });

  it('refuses a status move MINT cannot make, naming the status line', () => {
    const done = liveExp('a', { status: 'completed' });
    const statusSource = { file: 'mint.yaml', line: 12, column: 13, path: 'experiments[0].status' };
    const { problems, plan } = buildPlan(
      manifest([spec('a', { status: 'ongoing', statusSource }), spec('b', { status: 'planned' })]),
      liveWith(done, liveExp('b', { status: 'ongoing' })),
    );
    expect(problems).toEqual([
      `mint.yaml:12: experiment a: status ongoing: ${done.experiment_code} is completed in MINT, and a completed experiment cannot move to ongoing: completed is final in MINT; change \`status\` to what MINT allows`,
      expect.stringMatching(
        /^mint.yaml:1: experiment b: status planned: .* MINT does not move an experiment from ongoing back to planned/,
      ),
    ]);
    expect(plan.actions).toEqual([]);
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
  it('depends on the actions and their targets: not on timestamps or key order', () => {
    const m = manifest([spec('a', { name: 'New' })]);
    const e = liveExp('a', { updated_at: '2026-01-01T00:00:00Z' });
    const one = buildPlan(m, liveWith(e)).plan;
    const two = buildPlan(m, liveWith({ ...e, updated_at: '2027-01-01T00:00:00Z' })).plan;
    expect(one.fingerprint).toBe(two.fingerprint);
    expect(one.liveState['experiment:a']).not.toBe(two.liveState['experiment:a']);
    const other = buildPlan(manifest([spec('a', { name: 'Other' })]), liveWith(e)).plan;
    expect(other.fingerprint).not.toBe(one.fingerprint);
    expect(planFingerprint(STACK, true, one.actions)).not.toBe(one.fingerprint);
    // The same change aimed at a different experiment (another id and code) is a different plan.
    const elsewhere = buildPlan(m, liveWith(liveExp('a'))).plan;
    expect(elsewhere.actions.map((a) => a.changes)).toEqual(one.actions.map((a) => a.changes));
    expect(elsewhere.fingerprint).not.toBe(one.fingerprint);
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
