// Apply under injected faults: idempotent creates (commit-then-stall), 5xx, 429, resets. The end state
// equals the manifest (a fresh plan has no changes) and no experiment is ever duplicated.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apply, plan, retryEventSink } from '../../src/actions/index.js';
import type { EngineEvent } from '../../src/actions/types.js';
import { collect, keyCounts, startHarness, type Harness } from './helpers.js';

const STACK = 'faulty';

function manifest(n: number): string {
  const exps = Array.from({ length: n }, (_, i) => {
    const status = ['planned', 'ongoing', 'completed'][i % 3];
    return `  - key: e${i}
    name: Experiment ${i}
    status: ${status}
    tags: { n: ${i} }
    design: { plugin_id: lcms-sequence, data: { i: ${i} } }
    analysis:
      - { plugin_id: peak-qc, result: { i: ${i} } }
`;
  }).join('');
  return `version: 1
stack: ${STACK}
defaults: { project: p, experiment_type: lcms_batch }
projects:
  - key: p
    name: Faults
experiments:
${exps}`;
}

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h?.close();
});

describe('apply under faults', () => {
  it('adopts a create that committed but timed out instead of creating it twice', async () => {
    const m = await h.load({ 'mint.yaml': manifest(4) });
    const { events, sink } = collect();
    const slow = h.clientWith({ timeoutMs: 300 });
    h.sandbox.setFaults({
      rules: [{ method: 'POST', route: 'POST /api/experiments', commitThenStall: 1, stallMs: 1500 }],
    });

    const { result } = await apply({ manifest: m, client: slow, onEvent: sink });
    h.sandbox.setFaults({ rules: [] });

    expect(result.summary, JSON.stringify(result.results.filter((r) => r.status !== 'ok'))).toEqual({
      ok: result.results.length,
      failed: 0,
      skipped: 0,
    });
    // Exactly one POST per experiment: each timed-out create was found by its tags, not repeated.
    expect(h.sandbox.stats().byRoute['POST /api/experiments']).toBe(4);
    expect(
      events.some((e: EngineEvent) => e.type === 'log' && /looking it up by its tags/.test(e.message)),
    ).toBe(true);
    expect(await keyCounts(h, STACK)).toEqual({ e0: 1, e1: 1, e2: 1, e3: 1 });
    expect((await plan({ manifest: m, client: h.client })).hasChanges).toBe(false);
  });

  it('converges under 5xx, 429, resets and commit-then-stall within a few re-runs, without duplicates', async () => {
    const n = 12;
    const m = await h.load({ 'mint.yaml': manifest(n) });
    const { events, sink } = collect();
    const faulty = h.clientWith({ timeoutMs: 400, retries: 3, onRetry: retryEventSink(sink) });
    h.sandbox.setFaults({
      seed: 7,
      rules: [
        { method: 'POST', route: 'POST /api/experiments', commitThenStall: 0.3, stallMs: 800 },
        { route: '*', error500: 0.06, error503: 0.06, rateLimit: 0.05, retryAfterSeconds: 0, reset: 0.05 },
      ],
    });

    let run = await apply({ manifest: m, client: faulty, onEvent: sink, continueOnError: true });
    const fired = h.sandbox.log().filter((e) => e.fault).length;
    expect(fired, 'faults actually fired').toBeGreaterThan(0);
    expect(events.some((e) => e.type === 'retry')).toBe(true);
    for (const r of run.result.results.filter((x) => x.status !== 'ok'))
      expect(r.message, r.actionId).toMatch(/\S/);

    // A create whose outcome stayed unknown (a 5xx or reset not found within the grace period) is
    // never resent in the same run: it takes another run, which may meet faults again.
    for (let rerun = 0; rerun < 3 && !run.result.success; rerun++)
      run = await apply({ manifest: m, client: faulty, continueOnError: true });
    h.sandbox.setFaults({ rules: [] });

    const fresh = await plan({ manifest: m, client: h.client });
    expect(
      fresh.actions.map((a) => a.id),
      'live state equals the manifest',
    ).toEqual([]);
    const counts = await keyCounts(h, STACK);
    expect(Object.keys(counts)).toHaveLength(n);
    expect(
      Object.values(counts).every((c) => c === 1),
      JSON.stringify(counts),
    ).toBe(true);
  });
});
