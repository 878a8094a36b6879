// How apply runs: fail-fast vs continue-on-error, skipped dependents, re-read before update, the
// ownership re-check before a delete, and permission errors on completed experiments.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apply, plan } from '../../src/actions/index.js';
import type { EngineEvent } from '../../src/actions/types.js';
import { byKey, startHarness, type Harness } from './helpers.js';

const STACK = 'beh';

function manifest(body: string): string {
  return `version: 1
stack: ${STACK}
defaults: { project: p, experiment_type: lcms_batch }
projects:
  - key: p
    name: Behaviour
experiments:
${body}`;
}

const withDesign = (keys: string[], status = 'ongoing') =>
  keys
    .map(
      (k) =>
        `  - key: ${k}\n    name: ${k}\n    status: ${status}\n    design: { plugin_id: seq, data: { k: ${k} } }\n`,
    )
    .join('');

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ users: [{ username: 'alice', password: 'pw', role: 'member' }] });
});
afterEach(async () => {
  await h?.close();
});

describe('failures', () => {
  it('stops at the first failure by default and skips what did not start', async () => {
    const m = await h.load({ 'mint.yaml': manifest(withDesign(['a', 'b', 'c'])) });
    const client = h.clientWith({ retries: 0 });
    h.sandbox.setFaults({ rules: [{ route: 'PUT /api/experiments/{id}/data', error500: 1 }] });
    const { plan: planned, result } = await apply({ manifest: m, client, concurrency: 1 });
    const byId = new Map(result.results.map((r) => [r.actionId, r]));
    expect(byId.get('experiment.create:a')!.status).toBe('ok');
    expect(byId.get('design.save:a')!.status).toBe('failed');
    expect(byId.get('design.save:a')!.message).toMatch(/PUT \/api\/experiments\/\d+\/data → 500/);
    // One at a time, breadth first: the creates ran before the first design write failed.
    expect(byId.get('experiment.create:c')!.status).toBe('ok');
    for (const id of ['design.save:b', 'design.save:c']) {
      expect(byId.get(id)!.status).toBe('skipped');
      expect(byId.get(id)!.message).toMatch(/stopped at the first failure/);
    }
    expect(result.success).toBe(false);
    expect(result.summary.failed).toBe(1);
    // Every planned action is reported exactly once: run, failed or skipped.
    expect(result.results.map((r) => r.actionId).sort()).toEqual(planned.actions.map((a) => a.id).sort());
  });

  it('with continueOnError runs everything it can and skips only dependents of the failure', async () => {
    const m = await h.load({ 'mint.yaml': manifest(withDesign(['a', 'b'], 'completed')) });
    const client = h.clientWith({ retries: 0 });
    h.sandbox.setFaults({ rules: [{ route: 'PUT /api/experiments/{id}/data', error500: 1 }] });
    const { result } = await apply({ manifest: m, client, concurrency: 2, continueOnError: true });
    h.sandbox.setFaults({ rules: [] });
    const status = Object.fromEntries(result.results.map((r) => [r.actionId, r.status]));
    expect(status).toEqual({
      'project.create:p': 'ok',
      'experiment.create:a': 'ok',
      'design.save:a': 'failed',
      'experiment.status:a': 'skipped',
      'experiment.create:b': 'ok',
      'design.save:b': 'failed',
      'experiment.status:b': 'skipped',
    });
    expect(result.results.find((r) => r.actionId === 'experiment.status:a')!.message).toBe(
      'not started: dependency design.save:a failed',
    );
    // Not completed, so the re-run can still write the design (completed is read-only).
    expect(byKey(await h.all(), STACK).get('a')!.status).toBe('planned');
    const rerun = await apply({ manifest: m, client });
    expect(rerun.result.success).toBe(true);
    expect(byKey(await h.all(), STACK).get('a')!.status).toBe('completed');
  });

  it('reports permission denied for a member editing a completed experiment, warned in the plan', async () => {
    const m1 = await h.load({
      'mint.yaml': manifest(`  - key: done\n    name: Done\n    status: completed\n`),
    });
    await apply({ manifest: m1, client: h.client });
    const alice = h.clientWith({ token: h.sandbox.createToken({ username: 'alice' }) });
    const m2 = await h.load({
      'mint.yaml': manifest(`  - key: done\n    name: Done again\n    status: completed\n`),
    });
    const p = await plan({ manifest: m2, client: alice });
    expect(p.warnings.map((w) => w.code)).toContain('experiment.completed-edit');
    const { result } = await apply({ manifest: m2, client: alice });
    expect(result.results[0]).toMatchObject({ status: 'failed' });
    expect(result.results[0].message).toMatch(/403 PERMISSION_DENIED: .*completed and read-only/);
  });
});

describe('re-checks at write time', () => {
  it('re-reads before an update so a tag added since the plan is kept', async () => {
    const m1 = await h.load({ 'mint.yaml': manifest(`  - key: a\n    name: One\n    tags: { mine: 1 }\n`) });
    await apply({ manifest: m1, client: h.client });
    const a = byKey(await h.all(), STACK).get('a')!;
    const m2 = await h.load({ 'mint.yaml': manifest(`  - key: a\n    name: Two\n    tags: { mine: 2 }\n`) });
    h.sandbox.setFaults({ rules: [{ method: 'GET', route: 'GET /api/experiments/{id}', latencyMs: 300 }] });
    let edit: Promise<unknown> | undefined;
    const onEvent = (e: EngineEvent) => {
      if (e.type === 'action.start' && e.action.id === 'experiment.update:a') {
        edit = h.client.experiments.update(a.id, { tags: { ...a.tags, added_by_hand: 'yes' } });
      }
    };
    const { result } = await apply({ manifest: m2, client: h.client, onEvent });
    await edit;
    expect(result.success).toBe(true);
    const after = await h.client.experiments.get(a.id);
    expect(after.name).toBe('Two');
    expect(after.tags).toMatchObject({ mine: 2, added_by_hand: 'yes', 'mint-manifest.key': 'a' });
  });

  it('does not delete an orphan that lost this stack tag since the plan', async () => {
    const m1 = await h.load({ 'mint.yaml': manifest(`  - key: a\n    name: A\n  - key: b\n    name: B\n`) });
    await apply({ manifest: m1, client: h.client });
    const b = byKey(await h.all(), STACK).get('b')!;
    const m2 = await h.load({ 'mint.yaml': manifest(`  - key: a\n    name: A\n`) });
    h.sandbox.setFaults({ rules: [{ method: 'GET', route: 'GET /api/experiments/{id}', latencyMs: 300 }] });
    let edit: Promise<unknown> | undefined;
    const onEvent = (e: EngineEvent) => {
      if (e.type === 'action.start' && e.action.id === 'experiment.delete:b') {
        edit = h.client.experiments.update(b.id, { tags: { claimed: 'by a human' } });
      }
    };
    const { result } = await apply({ manifest: m2, client: h.client, prune: true, onEvent });
    await edit;
    expect(result.results[0]).toMatchObject({ actionId: 'experiment.delete:b', status: 'failed' });
    expect(result.results[0].message).toContain("no longer carries stack beh's tag");
    expect((await h.client.experiments.get(b.id)).tags).toEqual({ claimed: 'by a human' });
  });
});
