// Paging across several pages of a real server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MintClient } from '../../src/client/index.js';
import { harness, type Harness } from './helpers.js';

let h: Harness;
let client: MintClient;
const N = 53;

beforeAll(async () => {
  h = await harness();
  client = h.client();
  for (let i = 0; i < N; i++) {
    await client.experiments.create({
      name: `page-${String(i).padStart(2, '0')}`,
      experiment_type: 'general',
    });
  }
  await client.experiments.create({ name: 'other', experiment_type: 'lcms_batch' });
});
afterAll(() => h.close());

describe('pagination', () => {
  it('list() walks every page and returns a plain array', async () => {
    h.sandbox.resetStats();
    const all = await client.experiments.list({
      experiment_type: 'general',
      limit: 10,
      sort_by: 'name',
      sort_order: 'asc',
    });
    expect(all).toHaveLength(N);
    expect(new Set(all.map((e) => e.id)).size).toBe(N);
    expect(all[0].name).toBe('page-00');
    expect(all[N - 1].name).toBe(`page-${N - 1}`);
    expect(h.sandbox.stats().byRoute['GET /api/experiments']).toBe(6);
  });

  it('iterate() fetches lazily and can stop early', async () => {
    h.sandbox.resetStats();
    const seen: string[] = [];
    for await (const e of client.experiments.iterate({ experiment_type: 'general', limit: 10 })) {
      seen.push(e.name);
      if (seen.length === 15) break;
    }
    expect(seen).toHaveLength(15);
    expect(h.sandbox.stats().byRoute['GET /api/experiments']).toBe(2);
  });

  it('pages() yields one page at a time; page() is exactly one request with the total', async () => {
    const sizes: number[] = [];
    for await (const page of client.experiments.pages({ experiment_type: 'general', limit: 25 }))
      sizes.push(page.length);
    expect(sizes).toEqual([25, 25, 3]);
    h.sandbox.resetStats();
    const one = await client.experiments.page({ skip: 50, limit: 25 });
    expect(one.total).toBe(N + 1);
    expect(one.experiments).toHaveLength(4);
    expect(h.sandbox.stats().byRoute['GET /api/experiments']).toBe(1);
  });

  it('the default page size is 100', async () => {
    h.sandbox.resetStats();
    expect(await client.experiments.list()).toHaveLength(N + 1);
    expect(h.sandbox.stats().byRoute['GET /api/experiments']).toBe(1);
  });
});
