// Saved plans: a plan written to a file is applied only while live MINT still matches it; an expected
// fingerprint refuses a plan that changed since review.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  apply,
  FingerprintMismatchError,
  parsePlanJson,
  plan,
  planToJson,
  PlanStaleError,
} from '../../src/actions/index.js';
import { byKey, startHarness, type Harness } from './helpers.js';

const STACK = 'saved';

function manifest(name = 'Changed name', notes = 'n'): string {
  return `version: 1
stack: ${STACK}
defaults:
  project: p
  experiment_type: lcms_batch
projects:
  - key: p
    name: Saved plans
experiments:
  - key: a
    name: ${name}
  - key: b
    name: B
    notes: ${notes}
`;
}

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
  const base = await h.load({ 'mint.yaml': manifest('A') });
  await apply({ manifest: base, client: h.client });
});
afterEach(async () => {
  await h?.close();
});

function roundTrip(p: Awaited<ReturnType<typeof plan>>) {
  const file = path.join(h.dir, 'plan.json');
  fs.writeFileSync(file, planToJson(p));
  return parsePlanJson(fs.readFileSync(file, 'utf8'));
}

describe('saved plans', () => {
  it('applies a saved plan when nothing changed since it was made', async () => {
    const m = await h.load({ 'mint.yaml': manifest() });
    const saved = roundTrip(await plan({ manifest: m, client: h.client }));
    expect(saved.actions.map((a) => a.id)).toEqual(['experiment.update:a']);
    const { result } = await apply({ manifest: m, client: h.client, savedPlan: saved });
    expect(result.success).toBe(true);
    expect(result.fingerprint).toBe(saved.fingerprint);
    expect(byKey(await h.all(), STACK).get('a')!.name).toBe('Changed name');
  });

  it('refuses a saved plan whose objects changed live since, naming them, with zero writes', async () => {
    const m = await h.load({ 'mint.yaml': manifest() });
    const saved = roundTrip(await plan({ manifest: m, client: h.client }));
    const a = byKey(await h.all(), STACK).get('a')!;
    await h.client.experiments.update(a.id, { notes: 'edited by hand after the plan' });

    h.sandbox.resetStats();
    const err = await apply({ manifest: m, client: h.client, savedPlan: saved }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlanStaleError);
    expect((err as PlanStaleError).changes).toEqual(['experiment:a was modified']);
    expect((err as Error).message).toMatch(
      /^the saved plan is stale: MINT changed since it was made \(experiment:a was modified\)/,
    );
    expect(h.sandbox.stats().writes).toBe(0);
  });

  it('ignores live changes to objects the plan does not touch', async () => {
    const m = await h.load({ 'mint.yaml': manifest() });
    const saved = roundTrip(await plan({ manifest: m, client: h.client }));
    const b = byKey(await h.all(), STACK).get('b')!;
    await h.client.experiments.update(b.id, { tags: { ...b.tags, unrelated: 'yes' } });
    const { result } = await apply({ manifest: m, client: h.client, savedPlan: saved });
    expect(result.success).toBe(true);
    expect(result.results.map((r) => `${r.actionId}/${r.status}`)).toEqual(['experiment.update:a/ok']);
    const live = byKey(await h.all(), STACK);
    expect(live.get('a')!.name).toBe('Changed name');
    expect(live.get('b')!.tags).toMatchObject({ unrelated: 'yes' });
  });

  it('refuses when the fresh plan differs from the reviewed fingerprint', async () => {
    const reviewed = await plan({ manifest: await h.load({ 'mint.yaml': manifest() }), client: h.client });
    const changed = await h.load({ 'mint.yaml': manifest('Changed name', 'different notes') });
    h.sandbox.resetStats();
    const err = await apply({
      manifest: changed,
      client: h.client,
      expectedFingerprint: reviewed.fingerprint,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FingerprintMismatchError);
    expect((err as Error).message).toContain('the plan changed since it was reviewed');
    expect(h.sandbox.stats().writes).toBe(0);

    // The reviewed manifest still applies with its fingerprint (a 12-digit prefix is accepted).
    const ok = await apply({
      manifest: await h.load({ 'mint.yaml': manifest() }),
      client: h.client,
      expectedFingerprint: reviewed.fingerprint.slice(0, 12),
    });
    expect(ok.result.success).toBe(true);
  });

  it('refuses a saved plan when the manifest changed since (same live state)', async () => {
    const saved = roundTrip(
      await plan({ manifest: await h.load({ 'mint.yaml': manifest() }), client: h.client }),
    );
    const changed = await h.load({ 'mint.yaml': manifest('Another name') });
    const err = await apply({ manifest: changed, client: h.client, savedPlan: saved }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(FingerprintMismatchError);
  });
});
