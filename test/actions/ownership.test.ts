// Orphans, prune, the max-deletes guard, experiments not owned by the stack, adoption by code.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  apply,
  MaxDeletesError,
  plan,
  PlanConflictError,
  planExitCode,
  renderApplyText,
  renderPlanText,
} from '../../src/actions/index.js';
import { byKey, startHarness, type Harness } from './helpers.js';

const STACK = 'own';

function manifest(keys: string[], extra = '', stack = STACK): string {
  const exps = keys.map((k) => `  - key: ${k}\n    name: Exp ${k}\n`).join('');
  return `version: 1
stack: ${stack}
defaults:
  project: p
  experiment_type: lcms_batch
projects:
  - key: p
    name: Ownership project
experiments:
${exps}${extra}`;
}

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h?.close();
});

describe('orphans and prune', () => {
  it('lists an orphan without prune, deletes it with prune, and never touches an unowned experiment', async () => {
    const m1 = await h.load({ 'mint.yaml': manifest(['a', 'b', 'c']) });
    await apply({ manifest: m1, client: h.client });
    const projectId = byKey(await h.all(), STACK).get('a')!.project_id!;
    // Someone else's experiment in the same project, and one tagged by another stack.
    const stranger = await h.client.experiments.create({
      name: 'Hand made',
      experiment_type: 'lcms_batch',
      project_id: projectId,
    });
    const other = await h.client.experiments.create({
      name: 'Other stack',
      experiment_type: 'lcms_batch',
      project_id: projectId,
      tags: { 'mint-manifest.stack': 'someone-else', 'mint-manifest.key': 'c' },
    });

    const m2 = await h.load({ 'mint.yaml': manifest(['a']) });
    const p = await plan({ manifest: m2, client: h.client });
    expect(p.actions).toEqual([]);
    // Orphans are drift: a change that only --prune makes (detailed exit code 2), never "No changes".
    expect(p.hasChanges).toBe(true);
    expect(planExitCode(p)).toBe(2);
    expect(p.orphans.map((o) => o.key).sort()).toEqual(['b', 'c']);
    expect(p.summary.orphaned).toBe(2);
    expect(renderPlanText(p)).toMatch(/2 orphaned experiments to delete with --prune/);
    expect(renderPlanText(p)).not.toMatch(/No changes/);

    h.sandbox.resetStats();
    const noPrune = await apply({ manifest: m2, client: h.client });
    expect(noPrune.result.results).toEqual([]);
    expect(h.sandbox.stats().writes).toBe(0);
    expect(renderApplyText(noPrune.result)).toMatch(
      /nothing applied; 2 orphaned experiments left in place \(apply --prune deletes them\)/,
    );

    const pruned = await apply({ manifest: m2, client: h.client, prune: true });
    expect(pruned.plan.actions.map((a) => a.id).sort()).toEqual([
      'experiment.delete:b',
      'experiment.delete:c',
    ]);
    expect(pruned.result.success).toBe(true);
    const ids = (await h.all()).map((e) => e.id);
    expect(ids).toContain(stranger.id);
    expect(ids).toContain(other.id);
    expect([...byKey(await h.all(), STACK).keys()]).toEqual(['a']);
  });

  it('refuses a prune over max-deletes before any write', async () => {
    const m1 = await h.load({ 'mint.yaml': manifest(['a', 'b', 'c', 'd']) });
    await apply({ manifest: m1, client: h.client });
    const m2 = await h.load({ 'mint.yaml': manifest(['a'], '  - key: new\n    name: New one\n') });
    h.sandbox.resetStats();
    const err = await apply({ manifest: m2, client: h.client, prune: true, maxDeletes: 2 }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(MaxDeletesError);
    expect((err as MaxDeletesError).count).toBe(3);
    expect((err as Error).message).toMatch(
      /refusing to make 3 deletions \(3 experiments\): more than max-deletes \(2\); nothing was changed/,
    );
    expect(h.sandbox.stats().writes).toBe(0);
    expect(byKey(await h.all(), STACK).size).toBe(4);
  });
});

describe('adoption by code', () => {
  it('adopts an existing experiment by code, keeps its other tags, then manages it by tags', async () => {
    const existing = await h.client.experiments.create({
      name: 'Pilot',
      experiment_type: 'lcms_batch',
      tags: { lab: 'x' },
    });
    const extra = `  - key: legacy\n    code: ${existing.experiment_code}\n    name: Pilot renamed\n`;
    const m = await h.load({ 'mint.yaml': manifest(['a'], extra) });
    const p = await plan({ manifest: m, client: h.client });
    const adopt = p.actions.find((a) => a.id === 'experiment.update:legacy')!;
    expect(adopt.adopt).toBe(true);
    // defaults.project is not applied to an adopted experiment: it stays where it is.
    expect(adopt.changes.map((c) => c.field).sort()).toEqual([
      'name',
      'tags.mint-manifest.key',
      'tags.mint-manifest.stack',
    ]);

    const { result } = await apply({ manifest: m, client: h.client });
    expect(result.success).toBe(true);
    const live = await h.client.experiments.get(existing.id);
    expect(live).toMatchObject({
      name: 'Pilot renamed',
      experiment_code: existing.experiment_code,
      project_id: existing.project_id,
    });
    expect(live.tags).toEqual({ lab: 'x', 'mint-manifest.stack': STACK, 'mint-manifest.key': 'legacy' });
    expect((await plan({ manifest: m, client: h.client })).actions).toEqual([]);
    expect((await h.all()).length).toBe(2);
  });

  it('refuses to adopt an experiment another stack owns, and a code that does not exist', async () => {
    const theirs = await h.client.experiments.create({
      name: 'Theirs',
      experiment_type: 'lcms_batch',
      tags: { 'mint-manifest.stack': 'other', 'mint-manifest.key': 'k' },
    });
    const m = await h.load({
      'mint.yaml': manifest(
        [],
        `  - key: steal\n    code: ${theirs.experiment_code}\n  - key: ghost\n    code: NOPE-999\n`,
      ),
    });
    h.sandbox.resetStats();
    const err = await apply({ manifest: m, client: h.client }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlanConflictError);
    const problems = (err as PlanConflictError).problems.join('\n');
    expect(problems).toContain(`${theirs.experiment_code} is owned by stack "other"`);
    expect(problems).toContain('no experiment with code NOPE-999');
    expect(h.sandbox.stats().writes).toBe(0);
    expect((await h.client.experiments.get(theirs.id)).tags['mint-manifest.stack']).toBe('other');
  });

  it('refuses a referenced project id that does not exist, naming it', async () => {
    const m = await h.load({
      'mint.yaml': `version: 1
stack: ${STACK}
projects:
  - key: gone
    id: 4242
experiments:
  - key: a
    name: A
    project: gone
    experiment_type: lcms_batch
`,
    });
    const err = await plan({ manifest: m, client: h.client }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlanConflictError);
    expect((err as Error).message).toBe(
      'cannot plan: mint.yaml:4: project gone: no project with id 4242 in MINT; fix the id or give a name to create it',
    );
  });
});
