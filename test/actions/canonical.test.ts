import { describe, expect, it } from 'vitest';
import { canonicalJson, datesEqual, digest, jsonEqual, textEqual } from '../../src/actions/canonical.js';
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
