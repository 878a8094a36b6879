// Create from scratch, no-op re-apply, and update of each field kind, over HTTP against the sandbox.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apply, plan, renderPlanText } from '../../src/actions/index.js';
import { byKey, collect, startHarness, type Harness } from './helpers.js';

const STACK = 'basic';

function manifest(extra = ''): string {
  return `version: 1
stack: ${STACK}
defaults:
  project: main
  experiment_type: lcms_batch
projects:
  - key: main
    name: Basic project
    description: first
  - key: other
    name: Other project
experiments:
  - key: e1
    name: First
    status: ongoing
    notes: hello
    tags: { cell_line: A }
    start_date: 2026-05-01
    design:
      plugin_id: lcms-sequence
      schema_version: "1.0"
      data: { samples: [1, 2, 3], column: C18 }
    analysis:
      - plugin_id: peak-qc
        result: { passed: true, score: 0.9 }
  - key: e2
    name: Second
    status: completed
    design:
      plugin_id: lcms-sequence
      data: { samples: [] }
  - key: e3
    name: Third
${extra}`;
}

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('apply from scratch', () => {
  it('creates projects, experiments, design and analysis, then a re-apply makes zero writes', async () => {
    const m = await h.load({ 'mint.yaml': manifest() });
    const p = await plan({ manifest: m, client: h.client });
    expect(p.hasChanges).toBe(true);
    expect(p.summary.update).toBe(1); // e2's move to completed waits for its design
    expect(renderPlanText(p)).toContain('Plan: 8 to create, 1 to update, 0 to delete.');

    const { events, sink } = collect();
    const { result } = await apply({ manifest: m, client: h.client, onEvent: sink });
    expect(result.summary).toEqual({ ok: 9, failed: 0, skipped: 0 });
    expect(result.success).toBe(true);
    expect(events.filter((e) => e.type === 'action.finish')).toHaveLength(9);

    const live = byKey(await h.all(), STACK);
    expect([...live.keys()].sort()).toEqual(['e1', 'e2', 'e3']);
    const e1 = live.get('e1')!;
    expect(e1).toMatchObject({ name: 'First', status: 'ongoing', notes: 'hello', project: 'Basic project' });
    expect(e1.tags).toMatchObject({
      cell_line: 'A',
      'mint-manifest.stack': STACK,
      'mint-manifest.key': 'e1',
    });
    expect(live.get('e2')!.status).toBe('completed');
    expect((await h.client.experiments.designData.get(live.get('e2')!.id)).data).toEqual({ samples: [] });
    expect((await h.client.experiments.analysis.get(e1.id, 'peak-qc')).result).toEqual({
      passed: true,
      score: 0.9,
    });

    h.sandbox.resetStats();
    const again = await apply({ manifest: m, client: h.client });
    expect(again.plan.hasChanges).toBe(false);
    expect(again.result.results).toEqual([]);
    expect(h.sandbox.stats().writes).toBe(0);
    expect(renderPlanText(again.plan)).toContain('No changes. MINT matches the manifest.');
  });
});
