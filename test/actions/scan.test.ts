// The ownership scan: every experiment the token can see, wherever it was moved, read through the one
// verified pager — a page cap or a missing total never hides one (which would plan a duplicate), and
// an inconsistent listing plans nothing.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apply, plan, readLiveState, scanOwnership } from '../../src/actions/index.js';
import { ListingInconsistentError } from '../../src/client/index.js';
import type { FaultRule } from '../../src/sandbox/types.js';
import { byKey, keyCounts, owned, startHarness, type Harness } from './helpers.js';

const STACK = 'scan';
const TAGS = (key?: string) => ({
  'mint-manifest.stack': STACK,
  ...(key !== undefined ? { 'mint-manifest.key': key } : {}),
});

function manifest(keys: string[], projectName = 'Scan project'): string {
  const exps = keys.map((k) => `  - key: ${k}\n    name: Exp ${k}\n`).join('');
  return `version: 1
stack: ${STACK}
defaults:
  project: p
  experiment_type: lcms_batch
projects:
  - key: p
    name: ${projectName}
experiments:
${exps}`;
}

const keys = (n: number) => Array.from({ length: n }, (_, i) => `e${i}`);

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h?.close();
});

describe('owned experiments are found wherever they are', () => {
  it('an experiment moved to a project the manifest does not list plans as a move back, never a create', async () => {
    const m = await h.load({ 'mint.yaml': manifest(['a', 'b']) });
    await apply({ manifest: m, client: h.client });
    const home = byKey(await h.all(), STACK).get('a')!.project_id;
    const elsewhere = await h.client.projects.create({ name: 'Someone else’s project' });
    await h.client.experiments.update(byKey(await h.all(), STACK).get('a')!.id, { project_id: elsewhere.id });

    const p = await plan({ manifest: m, client: h.client });
    expect(p.actions.map((a) => [a.id, a.changes.map((c) => c.field)])).toEqual([
      ['experiment.update:a', ['project']],
    ]);
    const { result } = await apply({ manifest: m, client: h.client });
    expect(result.success).toBe(true);
    expect(byKey(await h.all(), STACK).get('a')!.project_id).toBe(home);
    expect(await keyCounts(h, STACK)).toEqual({ a: 1, b: 1 });
  });

  it('renaming the project in the manifest moves the experiments to it; none is created again', async () => {
    await apply({
      manifest: await h.load({ 'mint.yaml': manifest(['a', 'b'], 'Old name') }),
      client: h.client,
    });
    const m = await h.load({ 'mint.yaml': manifest(['a', 'b'], 'New name') });
    const p = await plan({ manifest: m, client: h.client });
    expect(p.actions.map((a) => a.id).sort()).toEqual([
      'experiment.update:a',
      'experiment.update:b',
      'project.create:p',
    ]);
    expect((await apply({ manifest: m, client: h.client })).result.success).toBe(true);
    expect(await keyCounts(h, STACK)).toEqual({ a: 1, b: 1 });
    const names = owned(await h.all(), STACK).map((e) => e.project);
    expect(names).toEqual(['New name', 'New name']);
    expect((await plan({ manifest: m, client: h.client })).hasChanges).toBe(false);
  });
});

describe('listings are verified, never trusted', () => {
  const cases: [string, FaultRule][] = [
    ['a page cap without a total', { route: 'GET /api/experiments', pageCap: 7, omitTotal: true }],
    ['a page cap with a total', { route: 'GET /api/experiments', pageCap: 7 }],
  ];
  for (const [name, rule] of cases) {
    it(`${name}: every page is read, so a re-apply creates nothing`, async () => {
      const m = await h.load({ 'mint.yaml': manifest(keys(30)) });
      await apply({ manifest: m, client: h.client });
      h.sandbox.setFaults({ rules: [rule] });
      h.sandbox.resetStats();
      const p = await plan({ manifest: m, client: h.client });
      expect(p.summary.create).toBe(0);
      expect(p.hasChanges).toBe(false);
      const { result } = await apply({ manifest: m, client: h.client });
      expect(result.results).toEqual([]);
      expect(h.sandbox.stats().writes).toBe(0);
      expect(Object.values(await keyCounts(h, STACK)).every((n) => n === 1)).toBe(true);
    });
  }

  const broken: [string, FaultRule][] = [
    ['a page that repeats ids', { route: 'GET /api/experiments', pageCap: 10, repeatIds: 0.5 }],
    ['a total that changes', { route: 'GET /api/experiments', pageCap: 10, shiftTotal: 0.5 }],
  ];
  for (const [name, rule] of broken) {
    it(`${name}: nothing is planned and nothing is written`, async () => {
      const m = await h.load({ 'mint.yaml': manifest(keys(30)) });
      await apply({ manifest: m, client: h.client });
      const more = await h.load({ 'mint.yaml': manifest(keys(32)) });
      h.sandbox.setFaults({ seed: 3, rules: [rule] });
      h.sandbox.resetStats();
      const err = await plan({ manifest: more, client: h.client }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ListingInconsistentError);
      expect((err as Error).message).toMatch(/^MINT's listing was inconsistent; nothing was planned/);
      await expect(apply({ manifest: more, client: h.client })).rejects.toThrow(ListingInconsistentError);
      expect(h.sandbox.stats().writes).toBe(0);
    });
  }
});

describe('live state', () => {
  it('reports every copy of a duplicated key (oldest managed) and unkeyed experiments; neither is an orphan', async () => {
    const first = await h.client.experiments.create({
      name: 'A',
      experiment_type: 'general',
      tags: TAGS('a'),
    });
    const second = await h.client.experiments.create({
      name: 'A2',
      experiment_type: 'general',
      tags: TAGS('a'),
    });
    const unkeyed = await h.client.experiments.create({
      name: 'U',
      experiment_type: 'general',
      tags: TAGS(),
    });
    const orphan = await h.client.experiments.create({
      name: 'O',
      experiment_type: 'general',
      tags: TAGS('gone'),
    });
    await h.client.experiments.create({ name: 'X', experiment_type: 'general', tags: { other: 'x' } });
    const m = await h.load({ 'mint.yaml': manifest(['a']) });
    const live = await readLiveState({ manifest: m, client: h.client });
    expect(live.experiments.get('a')?.experiment.id).toBe(first.id);
    expect(live.duplicates.get('a')?.map((e) => e.id)).toEqual([first.id, second.id]);
    expect(live.unkeyed.map((e) => e.id)).toEqual([unkeyed.id]);
    expect(live.orphans.map((o) => o.experiment.id)).toEqual([orphan.id]);
  });
});

describe('the scan on a platform-size MINT', () => {
  it('reads every page of everyone, keeps only this stack and the adopted codes', async () => {
    const seeded = await fetch(`${h.sandbox.url}/_sandbox/seed`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.sandbox.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ experiments: 2500, projects: 4 }),
    });
    expect(seeded.status).toBe(201);
    const ours = await h.client.experiments.create({
      name: 'A',
      experiment_type: 'general',
      tags: TAGS('a'),
    });
    const adopt = (
      await h.client.experiments.page({ skip: 1234, limit: 1, sort_by: 'created_at', sort_order: 'asc' })
    ).experiments[0];
    h.sandbox.resetStats();
    const scan = await scanOwnership(h.client, STACK, {
      codes: new Set([adopt.experiment_code]),
      concurrency: 4,
    });
    expect(scan.owned.map((e) => e.id)).toEqual([ours.id]);
    expect([...scan.byCode.values()].map((e) => e.id)).toEqual([adopt.id]);
    expect(scan.newestCreatedAt).toBe(ours.created_at);
    expect(h.sandbox.stats().byRoute['GET /api/experiments']).toBe(3);
  });
});
