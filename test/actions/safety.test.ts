// Plan/apply safety over real HTTP against the sandbox: duplicates and --dedupe, the deletion guard,
// drift, ownership (both tags, re-checked before design/result writes), partial management, the
// fingerprint's targets, located plan problems, created codes.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  apply,
  FingerprintMismatchError,
  MaxDeletesError,
  plan,
  PlanConflictError,
  planExitCode,
  renderApplyText,
  renderPlanMarkdown,
  renderPlanText,
} from '../../src/actions/index.js';
import type { Experiment } from '../../src/client/models.js';
import { byKey, collect, startHarness, type Harness } from './helpers.js';

const STACK = 'safe';
const TAGS = (key: string) => ({ 'mint-manifest.stack': STACK, 'mint-manifest.key': key });

function manifest(body: string, defaults = '  project: p\n  experiment_type: lcms_batch\n'): string {
  return `version: 1
stack: ${STACK}
defaults:
${defaults}projects:
  - key: p
    name: Safety project
experiments:
${body}`;
}

const exp = (key: string, extra = '') => `  - key: ${key}\n    name: Exp ${key}\n${extra}`;

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h?.close();
});

/** A second experiment carrying `key`'s ownership tags, as a second create that reached MINT would. */
async function duplicateOf(e: Experiment, key: string): Promise<Experiment> {
  return h.client.experiments.create({
    name: e.name,
    experiment_type: e.experiment_type,
    project_id: e.project_id ?? undefined,
    tags: TAGS(key),
  });
}

describe('duplicates', () => {
  it('plan lists them by code at the experiment line and exits 1; apply leaves the key alone', async () => {
    const m = await h.load({ 'mint.yaml': manifest(exp('a') + exp('b')) });
    await apply({ manifest: m, client: h.client });
    const a = byKey(await h.all(), STACK).get('a')!;
    const copy = await duplicateOf(a, 'a');

    const renamed = await h.load({
      'mint.yaml': manifest(exp('a').replace('Exp a', 'Renamed a') + exp('b').replace('Exp b', 'Renamed b')),
    });
    const p = await plan({ manifest: renamed, client: h.client });
    expect(p.orphans).toEqual([]); // duplicates are a problem, never orphans to prune
    expect(p.actions.map((x) => x.id)).toEqual(['experiment.update:b']);
    expect(p.duplicates).toEqual([
      {
        key: 'a',
        copies: [
          { code: a.experiment_code, experimentId: a.id, name: 'Exp a' },
          { code: copy.experiment_code, experimentId: copy.id, name: 'Exp a', holds: [] },
        ],
        resolved: false,
        source: expect.objectContaining({ file: 'mint.yaml', line: 10 }),
      },
    ]);
    expect(planExitCode(p)).toBe(1);
    const text = renderPlanText(p);
    expect(text).toContain('Duplicates (keys carried by several experiments; left alone until fixed):');
    expect(text).toContain(`  mint.yaml:10: key a: 2 experiments (left alone)`);
    expect(text).toContain(`    ${a.experiment_code}  "Exp a" (oldest: kept)`);
    expect(text).toContain(`    ${copy.experiment_code}  "Exp a" holds nothing`);
    expect(text).toMatch(
      /remove the mint-manifest.key tag from the unwanted copy in MINT, or run apply --dedupe/,
    );
    expect(renderPlanMarkdown(p)).toContain('**Duplicates**');

    const { result } = await apply({ manifest: renamed, client: h.client, prune: true });
    expect(result.results.map((r) => [r.actionId, r.status])).toEqual([['experiment.update:b', 'ok']]);
    expect(result.success).toBe(false);
    expect(result.duplicates?.map((d) => d.key)).toEqual(['a']);
    expect(renderApplyText(result)).toContain(
      `Left alone: mint.yaml:10: key a is carried by 2 experiments (${a.experiment_code} is the oldest): remove the mint-manifest.key tag from the unwanted ${copy.experiment_code} in MINT, or run apply --dedupe to delete the empty copies.`,
    );
    const live = (await h.all()).filter((e) => e.tags['mint-manifest.key'] === 'a');
    expect(live.map((e) => [e.id, e.name]).sort((x, y) => Number(x[0]) - Number(y[0]))).toEqual([
      [a.id, 'Exp a'],
      [copy.id, 'Exp a'],
    ]);
  });

  it('--dedupe deletes the empty extra copies, keeps the oldest and copies holding data, and counts against max-deletes', async () => {
    const m = await h.load({ 'mint.yaml': manifest(exp('a') + exp('b')) });
    await apply({ manifest: m, client: h.client });
    const live = byKey(await h.all(), STACK);
    const a = live.get('a')!;
    const b = live.get('b')!;
    const emptyA = await duplicateOf(a, 'a');
    const emptyA2 = await duplicateOf(a, 'a');
    const fullB = await duplicateOf(b, 'b');
    await h.client.experiments.analysis.save(fullB.id, 'peak-qc', { ok: true });

    h.sandbox.resetStats();
    const refused = await apply({ manifest: m, client: h.client, dedupe: true, maxDeletes: 1 }).catch(
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(MaxDeletesError);
    expect((refused as Error).message).toMatch(/refusing to make 2 deletions \(2 experiments\)/);
    expect(h.sandbox.stats().writes).toBe(0);

    const { plan: p, result } = await apply({ manifest: m, client: h.client, dedupe: true });
    expect(p.actions.map((x) => x.id).sort()).toEqual(
      [
        `experiment.dedupe:a@${emptyA.experiment_code}`,
        `experiment.dedupe:a@${emptyA2.experiment_code}`,
      ].sort(),
    );
    expect(p.duplicates?.map((d) => [d.key, d.resolved, d.blocker])).toEqual([
      ['a', true, undefined],
      ['b', false, `${fullB.experiment_code} holds result peak-qc`],
    ]);
    expect(result.duplicates?.map((d) => d.key)).toEqual(['b']);
    const ids = (await h.all()).map((e) => e.id);
    expect(ids).toContain(a.id);
    expect(ids).not.toContain(emptyA.id);
    expect(ids).not.toContain(emptyA2.id);
    expect(ids).toContain(b.id);
    expect(ids).toContain(fullB.id);
  });

  it('--dedupe re-checks a copy right before deleting it: one that got data since the plan stays', async () => {
    const m = await h.load({ 'mint.yaml': manifest(exp('a')) });
    await apply({ manifest: m, client: h.client });
    const a = byKey(await h.all(), STACK).get('a')!;
    const copy = await duplicateOf(a, 'a');
    const saved = await plan({ manifest: m, client: h.client, dedupe: true });
    expect(saved.actions.map((x) => x.id)).toEqual([`experiment.dedupe:a@${copy.experiment_code}`]);
    // Someone writes a result to the copy after the plan, while apply is on its way.
    const { sink, events } = collect();
    const { result } = await apply({
      manifest: m,
      client: h.client,
      dedupe: true,
      onEvent: (e) => {
        sink(e);
        if (e.type === 'read.done')
          h.sandbox.setFaults({
            rules: [{ method: 'GET', route: '/api/experiments/{id}', latencyMs: 1500 }],
          });
        if (e.type === 'action.start') void h.client.experiments.analysis.save(copy.id, 'late', { x: 1 });
      },
    });
    h.sandbox.setFaults({ rules: [] });
    expect(events.some((e) => e.type === 'action.start')).toBe(true);
    expect(result.results[0]).toMatchObject({ status: 'failed' });
    expect(result.results[0].message).toMatch(
      new RegExp(`not deleted: ${copy.experiment_code} now holds result late`),
    );
    expect((await h.client.experiments.get(copy.id)).id).toBe(copy.id);
  });
});

describe('deletion guard and drift', () => {
  it('counts design-data and result deletions against max-deletes', async () => {
    const withData = (k: string) =>
      exp(
        k,
        '    design:\n      plugin_id: d\n      data: { x: 1 }\n    analysis:\n      - plugin_id: q\n        result: 1\n',
      );
    const m = await h.load({ 'mint.yaml': manifest(withData('a') + withData('b') + withData('c')) });
    expect((await apply({ manifest: m, client: h.client })).result.success).toBe(true);
    const deleting = (k: string) =>
      exp(k, '    design: null\n    analysis:\n      - plugin_id: q\n        result: null\n');
    const m2 = await h.load({ 'mint.yaml': manifest(deleting('a') + deleting('b') + withData('c')) });
    h.sandbox.resetStats();
    const err = await apply({ manifest: m2, client: h.client, maxDeletes: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MaxDeletesError);
    expect((err as Error).message).toMatch(
      /^refusing to make 4 deletions \(2 design data, 2 analysis results\): more than max-deletes \(0\); nothing was changed/,
    );
    expect(h.sandbox.stats().writes).toBe(0);
    const { result } = await apply({ manifest: m2, client: h.client, maxDeletes: 4 });
    expect(result.success).toBe(true);
  });

  it('reports an experiment with the stack tag but no key and never deletes it, even with prune', async () => {
    const m = await h.load({ 'mint.yaml': manifest(exp('a')) });
    await apply({ manifest: m, client: h.client });
    const projectId = byKey(await h.all(), STACK).get('a')!.project_id!;
    const lone = await h.client.experiments.create({
      name: 'Half tagged',
      experiment_type: 'lcms_batch',
      project_id: projectId,
      tags: { 'mint-manifest.stack': STACK },
    });
    const p = await plan({ manifest: m, client: h.client, prune: true });
    expect(p.actions).toEqual([]);
    expect(p.orphans).toEqual([]);
    expect(p.unkeyed).toEqual([{ code: lone.experiment_code, experimentId: lone.id, name: 'Half tagged' }]);
    expect(renderPlanText(p)).toContain(
      `${lone.experiment_code} ("Half tagged") is tagged for this stack without a key: not managed`,
    );
    const { result } = await apply({ manifest: m, client: h.client, prune: true });
    expect(result.results).toEqual([]);
    expect((await h.client.experiments.get(lone.id)).name).toBe('Half tagged');
  });

  it('re-checks ownership before writing design data: an experiment taken by another stack is not written', async () => {
    const m = await h.load({ 'mint.yaml': manifest(exp('a')) });
    await apply({ manifest: m, client: h.client });
    const a = byKey(await h.all(), STACK).get('a')!;
    const m2 = await h.load({
      'mint.yaml': manifest(exp('a', '    design:\n      plugin_id: d\n      data: { x: 1 }\n')),
    });
    // Between the plan and the write, someone hands the experiment to another stack.
    const { result } = await apply({
      manifest: m2,
      client: h.client,
      onEvent: (e) => {
        if (e.type === 'read.done')
          h.sandbox.setFaults({
            rules: [{ method: 'GET', route: '/api/experiments/{id}', latencyMs: 1500 }],
          });
        if (e.type === 'action.start')
          void h.client.experiments.update(a.id, {
            tags: { 'mint-manifest.stack': 'other', 'mint-manifest.key': 'a' },
          });
      },
    });
    h.sandbox.setFaults({ rules: [] });
    expect(result.results.map((r) => [r.actionId, r.status])).toEqual([['design.save:a', 'failed']]);
    expect(result.results[0].message).toMatch(/now belongs to stack "other"/);
    expect(await h.client.experiments.designData.get(a.id).catch((e: { status?: number }) => e.status)).toBe(
      404,
    );
  });

  it('the fingerprint covers each target: the same change aimed at another experiment is refused', async () => {
    const m = await h.load({ 'mint.yaml': manifest(exp('a')) });
    await apply({ manifest: m, client: h.client });
    const a = byKey(await h.all(), STACK).get('a')!;
    const m2 = await h.load({ 'mint.yaml': manifest(exp('a').replace('Exp a', 'Renamed')) });
    const reviewed = await plan({ manifest: m2, client: h.client });
    // The experiment is replaced by an identical one (another id and code) after the review.
    await h.client.experiments.delete(a.id);
    const twin = await duplicateOf(a, 'a');
    const err = await apply({
      manifest: m2,
      client: h.client,
      expectedFingerprint: reviewed.fingerprint,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FingerprintMismatchError);
    expect((await h.client.experiments.get(twin.id)).name).toBe('Exp a');
  });
});

describe('partial management', () => {
  it('leaves a live schema_version alone when the manifest does not write one', async () => {
    const design = (data: string, version = '') =>
      exp('a', `    design:\n      plugin_id: d\n${version}      data: ${data}\n`);
    const m = await h.load({ 'mint.yaml': manifest(design('{ x: 1 }', '      schema_version: "2.0"\n')) });
    await apply({ manifest: m, client: h.client });
    const a = byKey(await h.all(), STACK).get('a')!;

    const unversioned = await h.load({ 'mint.yaml': manifest(design('{ x: 1 }')) });
    expect((await plan({ manifest: unversioned, client: h.client })).actions).toEqual([]);

    const changed = await h.load({ 'mint.yaml': manifest(design('{ x: 2 }')) });
    const { plan: p, result } = await apply({ manifest: changed, client: h.client });
    expect(p.actions[0].changes.map((c) => c.field)).toEqual(['data']);
    expect(result.success).toBe(true);
    expect(await h.client.experiments.designData.get(a.id)).toMatchObject({
      schema_version: '2.0',
      data: { x: 2 },
    });
  });

  it('does not apply defaults to an adopted experiment: only the fields written on it are managed', async () => {
    const existing = await h.client.experiments.create({
      name: 'Pilot',
      experiment_type: 'method_development',
      tags: { lab: 'x' },
    });
    const m = await h.load({
      'mint.yaml': manifest(
        `  - key: legacy\n    code: ${existing.experiment_code}\n    name: Pilot renamed\n`,
        '  project: p\n  experiment_type: lcms_batch\n  status: ongoing\n  tags: { team: y }\n',
      ),
    });
    const p = await plan({ manifest: m, client: h.client });
    expect(p.actions.map((x) => [x.id, x.changes.map((c) => c.field).sort()])).toEqual([
      ['project.create:p', ['name']],
      ['experiment.update:legacy', ['name', 'tags.mint-manifest.key', 'tags.mint-manifest.stack']],
    ]);
    await apply({ manifest: m, client: h.client });
    const live = await h.client.experiments.get(existing.id);
    expect(live).toMatchObject({
      name: 'Pilot renamed',
      experiment_type: 'method_development',
      status: 'planned',
      project_id: existing.project_id,
    });
    expect(live.tags).toEqual({ lab: 'x', ...TAGS('legacy') });
  });
});

describe('plan problems and apply output', () => {
  it('names every plan-time problem with its file:line, one line each', async () => {
    const theirs = await h.client.experiments.create({
      name: 'Theirs',
      experiment_type: 'lcms_batch',
      tags: { 'mint-manifest.stack': 'other', 'mint-manifest.key': 'k' },
    });
    const m = await h.load({
      'mint.yaml': `version: 1
stack: ${STACK}
projects:
  - key: gone
    id: 4242
experiments:
  - key: steal
    code: ${theirs.experiment_code}
  - key: ghost
    code: NOPE-999
`,
    });
    const err = await plan({ manifest: m, client: h.client }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlanConflictError);
    const lines = (err as Error).message.split('\n');
    expect(lines[0]).toBe('cannot plan (3 problems):');
    expect(lines.slice(1).sort()).toEqual([
      '  mint.yaml:4: project gone: no project with id 4242 in MINT; fix the id or give a name to create it',
      `  mint.yaml:7: experiment steal: ${theirs.experiment_code} is owned by stack "other"; it will not be taken over — release it there first or remove \`code\``,
      '  mint.yaml:9: experiment ghost: no experiment with code NOPE-999 in MINT to adopt; fix the code or remove it to create a new one',
    ]);
    expect((err as Error).message).not.toMatch(/and \d+ more/);
  });

  it('reports the code of each experiment it creates', async () => {
    const m = await h.load({ 'mint.yaml': manifest(exp('a') + exp('b')) });
    const { result } = await apply({ manifest: m, client: h.client });
    const live = byKey(await h.all(), STACK);
    expect(result.created).toEqual([
      { key: 'a', code: live.get('a')!.experiment_code, experimentId: live.get('a')!.id },
      { key: 'b', code: live.get('b')!.experiment_code, experimentId: live.get('b')!.id },
    ]);
    const a = result.results.find((r) => r.actionId === 'experiment.create:a')!;
    expect(a.created).toEqual({ id: live.get('a')!.id, code: live.get('a')!.experiment_code });
    const text = renderApplyText(result);
    expect(text).toContain(`✓ experiment.create:a → ${live.get('a')!.experiment_code}`);
    expect(text).toContain(
      `Created 2 experiments: a → ${live.get('a')!.experiment_code}, b → ${live.get('b')!.experiment_code}.`,
    );
  });
});
