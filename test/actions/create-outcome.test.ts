// A create whose outcome is unknown is never sent twice in one run. A MINT (or a proxy) that stores
// the write only after the client gave up — a late commit — used to get the create again after one
// lookup and 200 ms, and ended with two experiments.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apply, plan } from '../../src/actions/index.js';
import type { FaultRule } from '../../src/sandbox/types.js';
import { collect, keyCounts, startHarness, type Harness } from './helpers.js';

const STACK = 'late';

function manifest(keys: string[], notes = 'n'): string {
  const exps = keys
    .map((k) => `  - key: ${k}\n    name: Exp ${k}\n    notes: ${notes}\n    status: ongoing\n`)
    .join('');
  return `version: 1
stack: ${STACK}
defaults: { project: p, experiment_type: lcms_batch }
projects:
  - key: p
    name: Late commits
experiments:${exps ? `\n${exps}` : ' []\n'}`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const posts = (h: Harness) => h.sandbox.stats().byRoute['POST /api/experiments'] ?? 0;

function lateCreate(reply: FaultRule['lateCommitReply'], commitDelayMs: number): FaultRule {
  return { route: 'POST /api/experiments', lateCommit: 1, lateCommitReply: reply, commitDelayMs };
}

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h?.close();
});

describe('a create whose outcome is unknown', () => {
  for (const reply of ['reset', 'proxyError', 'okWithoutId'] as const) {
    it(`late commit answered with ${reply}: found by the ownership scan within the grace period and adopted`, async () => {
      const m = await h.load({ 'mint.yaml': manifest(['a', 'b', 'c']) });
      await apply({ manifest: await h.load({ 'mint.yaml': manifest([]) }), client: h.client });
      // Grace = 3 × 400 ms; MINT stores each create 500 ms after the client gave up on it.
      const client = h.clientWith({ timeoutMs: 400, retries: 0 });
      h.sandbox.setFaults({ rules: [lateCreate(reply, 500)] });
      h.sandbox.resetStats();
      const { events, sink } = collect();
      const { result } = await apply({ manifest: m, client, onEvent: sink });
      h.sandbox.setFaults({ rules: [] });

      expect(result.results.filter((r) => r.status !== 'ok')).toEqual([]);
      expect(posts(h), 'each create sent once').toBe(3);
      expect(events.some((e) => e.type === 'log' && /looking it up by its tags/.test(e.message))).toBe(true);
      await sleep(300);
      expect(await keyCounts(h, STACK)).toEqual({ a: 1, b: 1, c: 1 });
      expect((await plan({ manifest: m, client: h.client })).hasChanges).toBe(false);
    });
  }

  it('not found within the grace period: reported as outcome unknown, not resent, other work goes on; the next apply finds it', async () => {
    await apply({ manifest: await h.load({ 'mint.yaml': manifest(['a']) }), client: h.client });
    const m = await h.load({ 'mint.yaml': manifest(['a', 'b'], 'changed') });
    const client = h.clientWith({ timeoutMs: 300, retries: 0 });
    h.sandbox.setFaults({ rules: [lateCreate('reset', 2500)] });
    h.sandbox.resetStats();
    const { result } = await apply({ manifest: m, client });
    h.sandbox.setFaults({ rules: [] });

    const byId = new Map(result.results.map((r) => [r.actionId, r]));
    expect(byId.get('experiment.create:b')).toMatchObject({ status: 'failed', mayHaveCommitted: true });
    expect(byId.get('experiment.create:b')!.message).toMatch(
      /^outcome unknown: run apply again; it will find the experiment if MINT stored it/,
    );
    expect(byId.get('experiment.update:a')?.status, 'independent work went on').toBe('ok');
    expect(result.success).toBe(false);
    expect(posts(h), 'never resent in the same run').toBe(1);

    await sleep(2600); // MINT stores it late
    const again = await apply({ manifest: m, client: h.client });
    expect(again.plan.actions.map((a) => a.id)).toEqual(['experiment.update:b']);
    expect(again.result.success).toBe(true);
    expect(posts(h)).toBe(1);
    expect(await keyCounts(h, STACK)).toEqual({ a: 1, b: 1 });
    expect((await plan({ manifest: m, client: h.client })).hasChanges).toBe(false);
  });

  it('a project create with a late commit is found by name and not created twice', async () => {
    const m = await h.load({ 'mint.yaml': manifest(['a']) });
    const client = h.clientWith({ timeoutMs: 300, retries: 0 });
    h.sandbox.setFaults({
      rules: [
        { route: 'POST /api/projects', lateCommit: 1, lateCommitReply: 'proxyError', commitDelayMs: 400 },
      ],
    });
    const { result } = await apply({ manifest: m, client });
    h.sandbox.setFaults({ rules: [] });
    expect(result.results.filter((r) => r.status !== 'ok')).toEqual([]);
    expect((await h.client.projects.list()).filter((p) => p.name === 'Late commits')).toHaveLength(1);
    expect(h.sandbox.stats().byRoute['POST /api/projects']).toBe(1);
  });
});
