// The faults a real MINT (or the proxy in front of it) can show on lists and creates: late commits,
// page caps, no total, inconsistent listings; and the seeding route that makes the sandbox platform-size.
import { afterEach, describe, expect, it } from 'vitest';
import { type FaultConfig, type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { call } from './helpers.js';

const open: Sandbox[] = [];
async function sandbox(faults?: FaultConfig): Promise<Sandbox> {
  const sb = await startSandbox({ faults, quiet: true });
  open.push(sb);
  return sb;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((sb) => sb.close()));
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function seed(sb: Sandbox, n: number): Promise<void> {
  const r = await call(sb, 'POST', '/_sandbox/seed', { body: { experiments: n, projects: 3 } });
  expect(r.status, r.text).toBe(201);
}

const page = (sb: Sandbox, skip: number, limit: number) =>
  call(sb, 'GET', `/api/experiments?sort_by=created_at&sort_order=asc&skip=${skip}&limit=${limit}`);

describe('late commit', () => {
  const create = { name: 'late', experiment_type: 'general' };
  for (const reply of ['reset', 'proxyError', 'okWithoutId'] as const) {
    it(`answers ${reply} without storing, then stores the write after commitDelayMs`, async () => {
      const sb = await sandbox({
        rules: [
          { route: 'POST /api/experiments', lateCommit: 1, lateCommitReply: reply, commitDelayMs: 300 },
        ],
      });
      const sent = call(sb, 'POST', '/api/experiments', { body: create });
      if (reply === 'reset') await expect(sent).rejects.toThrow();
      else {
        const r = await sent;
        expect(r.status).toBe(reply === 'proxyError' ? 502 : 201);
        expect(r.body?.id).toBeUndefined();
      }
      sb.setFaults({ rules: [] });
      expect((await page(sb, 0, 10)).body.total).toBe(0);
      await sleep(600);
      const after = await page(sb, 0, 10);
      expect(after.body.total).toBe(1);
      expect(after.body.experiments[0].name).toBe('late');
      expect(sb.log().some((e) => e.fault === `lateCommit:${reply}`)).toBe(true);
    });
  }
});

describe('list faults', () => {
  it('pageCap serves fewer items than asked, the total stays true', async () => {
    const sb = await sandbox({ rules: [{ route: 'GET /api/experiments', pageCap: 7 }] });
    await seed(sb, 20);
    const r = await page(sb, 0, 100);
    expect(r.body.experiments).toHaveLength(7);
    expect(r.body.total).toBe(20);
  });

  it('omitTotal drops the total', async () => {
    const sb = await sandbox({ rules: [{ route: 'GET /api/experiments', omitTotal: true }] });
    await seed(sb, 5);
    const r = await page(sb, 0, 100);
    expect(r.body.experiments).toHaveLength(5);
    expect('total' in r.body).toBe(false);
  });

  it('repeatIds starts a later page one item early; shiftTotal reports one more than there is', async () => {
    const sb = await sandbox({ rules: [{ route: 'GET /api/experiments', repeatIds: 1 }] });
    await seed(sb, 10);
    const first = await page(sb, 0, 5);
    const second = await page(sb, 5, 5);
    expect(second.body.experiments[0].id).toBe(first.body.experiments[4].id);
    sb.setFaults({ rules: [{ route: 'GET /api/experiments', shiftTotal: 1 }] });
    expect((await page(sb, 0, 5)).body.total).toBe(11);
  });

  it('rejects a bad list fault with a line naming the field', async () => {
    const r = await call(await sandbox(), 'PUT', '/_sandbox/faults', {
      body: { rules: [{ route: '*', pageCap: 0 }] },
    });
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/rules\[0\]\.pageCap must be a whole number/);
  });
});

describe('seeding', () => {
  it('adds foreign experiments oldest first, before anything created later', async () => {
    const sb = await sandbox();
    const mine = await call(sb, 'POST', '/api/experiments', {
      body: { name: 'mine', experiment_type: 'general' },
    });
    await seed(sb, 1000);
    const r = await page(sb, 0, 1000);
    expect(r.body.total).toBe(1001);
    const last = (await page(sb, 1000, 10)).body.experiments;
    expect(last.map((e: { id: number }) => e.id)).toEqual([mine.body.id]);
    expect(new Set(r.body.experiments.map((e: { id: number }) => e.id)).size).toBe(1000);
    const desc = await call(sb, 'GET', '/api/experiments?limit=1');
    expect(desc.body.experiments[0].id).toBe(mine.body.id);
  });
});
