import { describe, expect, it } from 'vitest';
import {
  ListingInconsistentError,
  UnexpectedResponseError,
  assertCreated,
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

interface Source {
  fetch: (skip: number, limit: number) => Promise<Page<{ id: number }>>;
  calls: [number, number][];
}

/** A listing of n records; the server caps pages at `cap`, may omit the total or misbehave. */
function source(
  n: number,
  withTotal: boolean,
  cap = Infinity,
  misbehave: (skip: number, page: Page<{ id: number }>) => Page<{ id: number }> = (_, p) => p,
): Source {
  const calls: [number, number][] = [];
  const fetch = async (skip: number, limit: number): Promise<Page<{ id: number }>> => {
    calls.push([skip, limit]);
    const items: { id: number }[] = [];
    for (let i = skip; i < Math.min(n, skip + Math.min(limit, cap)); i++) items.push({ id: i });
    return misbehave(skip, withTotal ? { items, total: n } : { items });
  };
  return { fetch, calls };
}

const ids = (pages: { id: number }[]) => pages.map((x) => x.id);

describe('paginate', () => {
  it('without a total, a short page is not the end: it reads on to an empty page', async () => {
    const s = source(250, false, 70);
    expect(ids(await collect(paginate(s.fetch, { limit: 100 })))).toEqual([...Array(250).keys()]);
    expect(s.calls.map(([skip]) => skip)).toEqual([0, 70, 140, 210, 250]);
  });
  it('stops when skip reaches total (no extra empty request on an exact multiple)', async () => {
    const s = source(200, true);
    expect(await collect(paginate(s.fetch, { limit: 100 }))).toHaveLength(200);
    expect(s.calls).toHaveLength(2);
  });
  it('reads to the end when the server caps the page size below ours, in order, with concurrency', async () => {
    const s = source(1234, true, 50);
    expect(ids(await collect(paginate(s.fetch, { concurrency: 8 })))).toEqual([...Array(1234).keys()]);
    expect(s.calls[0]).toEqual([0, 1000]);
    expect(s.calls).toHaveLength(Math.ceil(1234 / 50));
  });
  it('fills a slot whose page came back shorter than the first one', async () => {
    let shorten = true;
    const s = source(300, true, Infinity, (skip, p) => {
      if (skip === 100 && shorten) {
        shorten = false;
        return { ...p, items: p.items.slice(0, 30) };
      }
      return p;
    });
    expect(ids(await collect(paginate(s.fetch, { limit: 100, concurrency: 4 })))).toEqual([
      ...Array(300).keys(),
    ]);
    expect(s.calls).toContainEqual([130, 70]);
  });
  it('asks the contract default when the server refuses our largest page size', async () => {
    const calls: number[] = [];
    const fetch = async (skip: number, limit: number): Promise<Page<{ id: number }>> => {
      calls.push(limit);
      if (limit > 100) throw Object.assign(new Error('limit too large'), { status: 422 });
      return { items: skip === 0 ? [{ id: 1 }] : [], total: 1 };
    };
    expect(await collect(paginate(fetch))).toEqual([{ id: 1 }]);
    expect(calls).toEqual([1000, 100]);
  });
  it('a repeated id is an inconsistent listing, never silently kept or dropped', async () => {
    const s = source(300, true, Infinity, (skip, p) =>
      skip === 100 ? { ...p, items: [{ id: 99 }, ...p.items.slice(1)] } : p,
    );
    await expect(collect(paginate(s.fetch, { limit: 100 }))).rejects.toThrow(ListingInconsistentError);
    await expect(collect(paginate(s.fetch, { limit: 100 }))).rejects.toThrow(
      /MINT's listing was inconsistent; nothing was planned \(items: id 99 came twice/,
    );
  });
  it('an empty page before total is inconsistent', async () => {
    const s = source(300, true, Infinity, (skip, p) => (skip >= 200 ? { ...p, items: [] } : p));
    await expect(collect(paginate(s.fetch, { limit: 100, concurrency: 3 }))).rejects.toThrow(
      /empty page at offset 200 before total 300/,
    );
    const first = source(5, true, Infinity, (_, p) => ({ ...p, items: [] }));
    await expect(collect(paginate(first.fetch))).rejects.toThrow(ListingInconsistentError);
  });
  it('a total that changes during the read is inconsistent', async () => {
    const s = source(300, true, Infinity, (skip, p) => (skip === 200 ? { ...p, total: 301 } : p));
    await expect(collect(paginate(s.fetch, { limit: 100 }))).rejects.toThrow(
      /total was 300 on the first page but 301 at offset 200/,
    );
  });
  it('a huge total allocates no work per offset up front', async () => {
    const s = source(50, false, Infinity, (_, p) => ({ ...p, total: 1e15 }));
    await expect(collect(paginate(s.fetch, { limit: 10, concurrency: 4 }))).rejects.toThrow(
      /empty page at offset 50/,
    );
    expect(s.calls.length).toBeLessThan(20);
  });
  it('a server that ignores limit does not produce repeats between concurrent slots', async () => {
    const fetch = async (skip: number): Promise<Page<{ id: number }>> => {
      const items: { id: number }[] = [];
      for (let i = skip; i < Math.min(skip + 100, 250); i++) items.push({ id: i });
      return { items, total: 250 };
    };
    expect(ids(await collect(paginate(fetch, { limit: 100, concurrency: 4 })))).toEqual([
      ...Array(250).keys(),
    ]);
  });
  it('fetches lazily: breaking early fetches no further page', async () => {
    const s = source(1000, true);
    for await (const page of paginate(s.fetch, { limit: 100 })) {
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

describe('assertCreated', () => {
  it('a 2xx create without a numeric id (or code) is an unknown outcome', () => {
    expect(assertCreated({ id: 3, experiment_code: 'EXP-1' }, 'experiment', ['experiment_code'])).toEqual({
      id: 3,
      experiment_code: 'EXP-1',
    });
    for (const body of [undefined, {}, { id: '3', experiment_code: 'E' }, { id: 3 }]) {
      let err: unknown;
      try {
        assertCreated(body, 'experiment', ['experiment_code']);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(UnexpectedResponseError);
      expect((err as UnexpectedResponseError).mayHaveCommitted).toBe(true);
    }
  });
});
