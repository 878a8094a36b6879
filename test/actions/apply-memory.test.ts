// What an apply keeps per action: at 10,000 experiments (30,000 results) every byte per result counts.
import * as v8 from 'node:v8';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apply } from '../../src/actions/index.js';
import { startHarness, type Harness } from './helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

function manifest(n: number): string {
  const experiments = Array.from(
    { length: n },
    (_, i) =>
      `  - key: m${i}\n    name: Memory ${i}\n    analysis:\n      - plugin_id: peak-qc\n        result: { n: ${i} }\n`,
  ).join('');
  return `version: 1\nstack: memory\ndefaults:\n  experiment_type: lcms_batch\nexperiments:\n${experiments}`;
}

describe('apply results', () => {
  it('share one hidden class (a spread gives each result its own, about 250 bytes)', async () => {
    v8.setFlagsFromString('--allow-natives-syntax');
    const sameShape = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (
      a: object,
      b: object,
    ) => boolean;
    const m = await h.load({ 'mint.yaml': manifest(60) });
    const { result } = await apply({ manifest: m, client: h.client, concurrency: 4 });
    expect(result.summary).toEqual({ ok: 120, failed: 0, skipped: 0 });
    // results with the same fields (e.g. every ok result without `created`) share one hidden class
    const first = new Map<string, object>();
    let distinct = 0;
    for (const r of result.results) {
      const fields = Object.keys(r).join(',');
      const seen = first.get(fields);
      if (!seen) first.set(fields, r);
      else if (!sameShape(seen, r)) distinct++;
    }
    expect(first.size).toBeLessThanOrEqual(3);
    expect(distinct).toBe(0);
  });
});
