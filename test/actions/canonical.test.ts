import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import {
  canonicalJson,
  datesEqual,
  digest,
  jsonEqual,
  textEqual,
  toJson,
} from '../../src/actions/canonical.js';
import { diffAnalysis, diffDesign } from '../../src/actions/diff.js';
import { impossibleStatusMove, statusMoveIssue, statusPath } from '../../src/actions/status.js';
import { createLimiter, mapLimit } from '../../src/concurrency.js';
import { dateInstant } from '../../src/dates.js';

describe('semantic equality', () => {
  it('ignores key order at every depth and compares numbers by value', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[1,{"x":1,"y":2}]},"b":1}',
    );
    expect(jsonEqual({ a: 1.0, b: [1, 2] }, { b: [1, 2], a: 1 })).toBe(true);
    expect(jsonEqual({ a: 1 }, { a: '1' })).toBe(false);
    expect(jsonEqual([1, 2], [2, 1])).toBe(false);
    expect(jsonEqual(-0, 0)).toBe(true);
    expect(digest({ x: 1, y: 2 })).toBe(digest({ y: 2, x: 1 }));
  });

  it('compares dates as instants; a date-only value is midnight UTC of that day', () => {
    expect(datesEqual('2026-05-01', '2026-05-01T00:00:00Z')).toBe(true);
    expect(datesEqual('2026-05-01', '2026-05-01T00:00:00.000+00:00')).toBe(true);
    expect(datesEqual('2026-05-01T02:00:00+02:00', '2026-05-01')).toBe(true);
    expect(datesEqual('2026-05-01', '2026-05-02')).toBe(false);
    expect(datesEqual('2026-05-01T00:00:01Z', '2026-05-01')).toBe(false);
    expect(datesEqual('2026-05-01T10:00:00', '2026-05-01T10:00:00Z')).toBe(true);
    expect(datesEqual(null, undefined)).toBe(true);
    expect(datesEqual(null, '2026-05-01')).toBe(false);
    expect(dateInstant('not a date')).toBeUndefined();
  });

  it('treats null, missing and empty text alike', () => {
    expect(textEqual(null, undefined)).toBe(true);
    expect(textEqual('', null)).toBe(true);
    expect(textEqual('a', null)).toBe(false);
    expect(textEqual('a', 'a')).toBe(true);
  });
});

describe('plan values', () => {
  it('keeps a reference to plain JSON payloads instead of copying them (memory at 10,000 experiments)', () => {
    const data = { method: 'hilic', samples: [{ id: 'S1', well: 'A1', volume_ul: 5 }] };
    const result = { passed: true, peaks: [1.5, 2], note: null };
    const design = diffDesign({ plugin_id: 'p', schema_version: '1.0', data } as never, null);
    expect(design.find((c) => c.field === 'data')?.after).toBe(data);
    expect(diffAnalysis({ plugin_id: 'q', result } as never, null)[0].after).toBe(result);
    expect(toJson(data)).toBe(data);
  });

  it('still turns what is not plain JSON into canonical JSON', () => {
    expect(toJson({ b: undefined, a: -0, d: new Date(0) })).toEqual({ a: 0, d: '1970-01-01T00:00:00.000Z' });
    expect(toJson([1, undefined])).toEqual([1, null]);
    expect(toJson(undefined)).toBeUndefined();
    const nested = { x: { when: new Date(0) } };
    expect(toJson(nested)).not.toBe(nested);
  });
});

describe('status moves', () => {
  it('walks only the moves the contract allows, never through cancelled or out of completed', () => {
    expect(statusPath('planned', 'planned')).toEqual([]);
    expect(statusPath('planned', 'ongoing')).toEqual(['ongoing']);
    expect(statusPath('planned', 'completed')).toEqual(['ongoing', 'completed']);
    expect(statusPath('cancelled', 'ongoing')).toEqual(['planned', 'ongoing']);
    expect(statusPath('ongoing', 'cancelled')).toEqual(['cancelled']);
    expect(statusPath('ongoing', 'planned')).toBeUndefined();
    expect(statusPath('completed', 'ongoing')).toBeUndefined();
    expect(statusPath('completed', 'cancelled')).toBeUndefined();
    expect(impossibleStatusMove('completed', 'planned')).toMatch(/completed is final/);
    expect(impossibleStatusMove('ongoing', 'planned')).toMatch(/from ongoing back to planned/);
    expect(impossibleStatusMove('planned', 'completed')).toBeUndefined();
  });

  it('warns about multi-step moves', () => {
    expect(statusMoveIssue('k', 'planned', 'completed')?.message).toContain('planned → ongoing → completed');
    expect(statusMoveIssue('k', 'planned', 'ongoing')).toBeUndefined();
    expect(statusMoveIssue('k', 'completed', 'planned')).toBeUndefined();
  });
});

describe('limiter', () => {
  it('keeps at most N tasks in flight and preserves result order', async () => {
    let active = 0;
    let peak = 0;
    const out = await mapLimit([5, 1, 4, 2, 3, 0], 2, async (v) => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, v));
      active--;
      return v * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30, 0]);
    expect(peak).toBe(2);
  });

  it('keeps running after a task fails', async () => {
    const limit = createLimiter(1);
    await expect(limit(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(limit(() => Promise.resolve(7))).resolves.toBe(7);
  });
});

/** The canonical JSON before it was streamed: the oracle the streaming writer must match byte for byte. */
function sortedCopyJson(value: unknown): string {
  const sortKeys = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map((x) => (x === undefined ? null : sortKeys(x)));
    if (v !== null && typeof v === 'object') {
      if (v instanceof Date) return v.toISOString();
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) {
        const x = (v as Record<string, unknown>)[k];
        if (x !== undefined) out[k] = sortKeys(x);
      }
      return out;
    }
    if (typeof v === 'number' && Object.is(v, -0)) return 0;
    return v;
  };
  return JSON.stringify(sortKeys(value)) ?? 'null';
}

describe('canonical JSON written as a stream', () => {
  it('matches the sorted-copy text byte for byte, index-like keys and odd values included', () => {
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const keys = [
      'b',
      'a',
      '10',
      '9',
      '0',
      '01',
      '-1',
      '4294967295',
      '4294967294',
      'Z',
      'é',
      '\u{1F600}',
      'a b',
      '',
    ];
    const leaf = (): unknown =>
      [null, undefined, -0, 0, 1.5, NaN, Infinity, 'x"\n\u2028', true, false, new Date(0), () => 1][rand(12)];
    const gen = (depth: number): unknown => {
      const r = rand(depth > 3 ? 1 : 3);
      if (r === 0) return leaf();
      if (r === 1) return Array.from({ length: rand(5) }, () => gen(depth + 1));
      const o: Record<string, unknown> = {};
      for (let i = rand(7); i > 0; i--) o[keys[rand(keys.length)]] = gen(depth + 1);
      return o;
    };
    for (let i = 0; i < 2000; i++) {
      const v = gen(0);
      expect(canonicalJson(v)).toBe(sortedCopyJson(v));
    }
    const sparse = [1, , 3]; // eslint-disable-line no-sparse-arrays
    expect(canonicalJson(sparse)).toBe(sortedCopyJson(sparse));
    expect(canonicalJson(undefined)).toBe('null');
  });

  it('digests a value larger than one flushed piece the same as its text', () => {
    const big = { rows: Array.from({ length: 5000 }, (_, i) => ({ z: i, a: `row ${i}` })) };
    const text = canonicalJson(big);
    expect(text.length).toBeGreaterThan(1 << 16);
    expect(digest(big)).toBe(createHash('sha256').update(text).digest('hex'));
  });
});
