import { describe, expect, it } from 'vitest';
import {
  UnexpectedResponseError,
  collect,
  paginate,
  unwrapList,
  type Page,
} from '../../src/client/pagination.js';

describe('unwrapList', () => {
  it('takes a plain array, then the resource key, then items, then data', () => {
    expect(unwrapList([1, 2], 'experiments')).toEqual({ items: [1, 2] });
    expect(unwrapList({ experiments: [1], items: [2], data: [3], total: 9 }, 'experiments')).toEqual({
      items: [1],
      total: 9,
    });
    expect(unwrapList({ items: [2], data: [3] }, 'experiments')).toEqual({ items: [2] });
    expect(unwrapList({ data: [3] }, 'experiments')).toEqual({ items: [3] });
    expect(unwrapList({ total: 0 }, 'experiments')).toEqual({ items: [], total: 0 });
    // An unknown shape must never read as "nothing there" (the engine would create duplicates).
    expect(() => unwrapList({ other: [3] }, 'experiments')).toThrow(/none of `experiments`, `items`, `data`/);
    expect(() => unwrapList(undefined, 'experiments')).toThrow(UnexpectedResponseError);
  });
});

function source(n: number, withTotal: boolean, serverCap = Infinity) {
  const calls: [number, number][] = [];
  const fetch = async (skip: number, limit: number): Promise<Page<number>> => {
    calls.push([skip, limit]);
    const all = Array.from({ length: n }, (_, i) => i);
    const items = all.slice(skip, skip + Math.min(limit, serverCap));
    return withTotal ? { items, total: n } : { items };
  };
  return { fetch, calls };
}

describe('paginate', () => {
  it('stops on a short page when no total is known', async () => {
    const s = source(250, false);
    expect(await collect(paginate(s.fetch, 0, 100))).toHaveLength(250);
    expect(s.calls).toEqual([
      [0, 100],
      [100, 100],
      [200, 100],
    ]);
  });
  it('stops when skip reaches total (no extra empty request on an exact multiple)', async () => {
    const s = source(200, true);
    expect(await collect(paginate(s.fetch, 0, 100))).toHaveLength(200);
    expect(s.calls).toHaveLength(2);
  });
  it('reads to the end when the server caps the page size below ours', async () => {
    const s = source(120, true, 50);
    expect(await collect(paginate(s.fetch, 0, 100))).toHaveLength(120);
  });
  it('fetches lazily: breaking early fetches no further page', async () => {
    const s = source(1000, true);
    for await (const page of paginate(s.fetch, 0, 100)) {
      expect(page).toHaveLength(100);
      break;
    }
    expect(s.calls).toHaveLength(1);
  });
  it('handles an empty list with one request', async () => {
    const s = source(0, true);
    expect(await collect(paginate(s.fetch))).toEqual([]);
    expect(s.calls).toHaveLength(1);
  });
});
