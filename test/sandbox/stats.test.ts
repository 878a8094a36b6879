// Request counters and the request log, in process and over /_sandbox.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { call } from './helpers.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ logSize: 5 });
});
afterAll(() => sb.close());

describe('stats', () => {
  it('counts every /api request by method and route template, reads vs writes', async () => {
    sb.resetStats();
    const e = (
      await call(sb, 'POST', '/api/experiments', { body: { name: 's', experiment_type: 'general' } })
    ).body;
    await call(sb, 'GET', `/api/experiments/${e.id}`);
    await call(sb, 'GET', `/api/experiments/${e.id}`);
    await call(sb, 'PATCH', `/api/experiments/${e.id}`, { body: { name: 't' } });
    await call(sb, 'PUT', `/api/experiments/${e.id}/data`, { body: { plugin_id: 'p', data: 1 } });
    await call(sb, 'GET', '/api/experiments/99999');
    await call(sb, 'GET', '/api/no/such/route');
    await call(sb, 'GET', '/_sandbox/stats');
    expect(sb.stats()).toEqual({
      reads: 4,
      writes: 3,
      total: 7,
      byRoute: {
        'POST /api/experiments': 1,
        'GET /api/experiments/{id}': 3,
        'PATCH /api/experiments/{id}': 1,
        'PUT /api/experiments/{id}/data': 1,
        'GET (unmatched)': 1,
      },
    });
  });

  it('serves and resets the counters over HTTP (control routes never count)', async () => {
    sb.resetStats();
    await call(sb, 'GET', '/api/health', { token: null });
    const r = await call(sb, 'GET', '/_sandbox/stats');
    expect(r.body).toEqual({ reads: 1, writes: 0, total: 1, byRoute: { 'GET /api/health': 1 } });
    expect((await call(sb, 'POST', '/_sandbox/stats/reset')).body).toEqual({
      reads: 0,
      writes: 0,
      total: 0,
      byRoute: {},
    });
    expect(sb.stats().total).toBe(0);
  });

  it('keeps the last N requests in the log, oldest first, without tokens', async () => {
    for (let i = 0; i < 7; i++) await call(sb, 'GET', `/api/experiments?skip=${i}`);
    const log = sb.log();
    expect(log.map((e) => e.path)).toEqual([2, 3, 4, 5, 6].map((i) => `/api/experiments?skip=${i}`));
    expect(log[4]).toMatchObject({
      method: 'GET',
      route: '/api/experiments',
      status: 200,
      user: 'admin',
      requestId: expect.any(String),
    });
    const http = await call(sb, 'GET', '/_sandbox/log?limit=2');
    expect(http.body.entries.map((e: { path: string }) => e.path)).toEqual([
      '/api/experiments?skip=5',
      '/api/experiments?skip=6',
    ]);
    expect(http.text).not.toContain(sb.adminToken);
  });
});
