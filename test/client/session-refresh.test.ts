// Sessions are refreshed before they expire (as MINT's SDK does), never with an expired token; a
// renewal that failed is remembered for the run; a session read from the credentials file is
// written back there. Against a sandbox that refuses to refresh an expired session.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { apply, plan } from '../../src/actions/index.js';
import {
  AuthenticationError,
  MintClient,
  jwtExpiry,
  jwtIssuedAt,
  refreshDueAt,
} from '../../src/client/index.js';
import { startHarness, type Harness as EngineHarness } from '../actions/helpers.js';
import { allText, caught, harness, type Harness } from './helpers.js';

let h: Harness | undefined;
let eh: EngineHarness | undefined;
const tmpDirs: string[] = [];
afterEach(async () => {
  await h?.close();
  await eh?.close();
  h = undefined;
  eh = undefined;
  for (const d of tmpDirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const statusesOf = (log: { status: number; route: string | null }[], status: number) =>
  log.filter((e) => e.status === status);

describe('when to refresh', () => {
  it('5 minutes ahead, or at 80 % of a lifetime under 10 minutes', () => {
    expect(refreshDueAt(0, 3600_000)).toBe(3300_000);
    expect(refreshDueAt(0, 10 * 60_000)).toBe(5 * 60_000);
    expect(refreshDueAt(0, 3000)).toBe(2400);
    expect(refreshDueAt(1000, 1000)).toBe(1000);
  });

  it('reads the exp claim of a session JWT (seconds), and nothing from a PAT', () => {
    const claims = Buffer.from(JSON.stringify({ sub: 'ann', exp: 2_000_000_000 })).toString('base64url');
    expect(jwtExpiry(`x.${claims}.y`)).toBe(2_000_000_000_000);
    expect(jwtIssuedAt(`x.${claims}.y`)).toBeUndefined();
    expect(jwtExpiry('mint_pat_abc')).toBeUndefined();
    expect(jwtExpiry('a.b.c')).toBeUndefined();
  });
});

describe('refresh ahead of expiry', () => {
  it('a long apply with 3-second sessions sees no 401 and logs in exactly once (strict sandbox)', async () => {
    eh = await startHarness({
      strict: true,
      sessionTtlSeconds: 3,
      users: [{ username: 'ann', password: 'ann-pw', role: 'admin' }],
      // slow enough that the apply outlives several sessions
      faults: { rules: [{ route: '*', latencyMs: 120 }] },
    });
    const experiments = Array.from(
      { length: 24 },
      (_, i) => `  - key: e${i}
    name: Long run ${i}
    design: { plugin_id: lcms-sequence, data: { i: ${i} } }
    analysis:
      - { plugin_id: peak-qc, result: { i: ${i} } }
`,
    ).join('');
    const m = await eh.load({
      'mint.yaml': `version: 1
stack: long
defaults: { project: p, experiment_type: lcms_batch }
projects:
  - key: p
    name: Long
experiments:
${experiments}`,
    });
    const client = eh.clientWith({ token: undefined, username: 'ann', password: 'ann-pw' });
    try {
      const started = Date.now();
      const { result } = await apply({ manifest: m, client, concurrency: 4 });
      expect(result.success).toBe(true);
      expect((await plan({ manifest: m, client })).hasChanges).toBe(false);
      // the run must really have outlived a session, or the test proves nothing
      expect(Date.now() - started).toBeGreaterThan(3000);
    } finally {
      client.close();
    }
    const log = eh.sandbox.log();
    expect(statusesOf(log, 401)).toEqual([]);
    const byRoute = eh.sandbox.stats().byRoute;
    expect(byRoute['POST /api/auth/login']).toBe(1);
    expect(byRoute['POST /api/auth/refresh']).toBeGreaterThanOrEqual(1);
  });

  it('renews a stored session token from its exp claim before it expires, without a 401', async () => {
    h = await harness({ strict: true, users: [{ username: 'ann', password: 'ann-pw' }] });
    const token = h.sandbox.createToken({ username: 'ann', kind: 'session', ttlSeconds: 2 });
    const client = h.client({ token });
    await client.whoami();
    // past 80 % of the lifetime, before expiry
    await sleep(1700);
    expect((await client.whoami()).username).toBe('ann');
    expect(client.token).not.toBe(token);
    expect(statusesOf(h.sandbox.log(), 401)).toEqual([]);
    expect(h.sandbox.stats().byRoute['POST /api/auth/refresh']).toBe(1);
  });

  it("plans a stored token's refresh from its iat claim: 9 minutes into a 10-minute session, refresh first", async () => {
    const clock = { t: Date.now() - 9 * 60_000 };
    h = await harness({ users: [{ username: 'ann', password: 'ann-pw' }], now: () => clock.t });
    const token = h.sandbox.createToken({ username: 'ann', kind: 'session', ttlSeconds: 600 });
    clock.t = Date.now();
    const client = h.client({ token });
    expect((await client.whoami()).username).toBe('ann');
    expect(client.token).not.toBe(token);
    const log = h.sandbox.log().map((e) => `${e.method} ${e.route}`);
    expect(log).toEqual(['POST /api/auth/refresh', 'GET /api/users/me']);
  });

  it('never sends a refresh with a token known to have expired', async () => {
    h = await harness({ strict: true, users: [{ username: 'ann', password: 'ann-pw' }] });
    const token = h.sandbox.createToken({ username: 'ann', kind: 'session', ttlSeconds: 1 });
    await sleep(1100);
    const client = h.client({ token });
    const err = await caught(client.whoami());
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err.message).toMatch(/log in again|personal access token/);
    expect(allText(err)).not.toContain(token);
    expect(h.sandbox.stats().byRoute['POST /api/auth/refresh']).toBeUndefined();
  });
});

describe('a failed renewal is remembered for the run', () => {
  it('32 concurrent requests refused with one session make one refresh call, and later ones none', async () => {
    const clock = { t: Date.now() };
    h = await harness({
      users: [{ username: 'ann', password: 'ann-pw' }],
      refreshWindowSeconds: 0,
      now: () => clock.t,
    });
    const token = h.sandbox.createToken({ username: 'ann', kind: 'session', ttlSeconds: 600 });
    const client = h.client({ token });
    // the server's session ends early (e.g. revoked): the client still thinks it valid
    clock.t += 3600_000;
    const results = await Promise.allSettled(Array.from({ length: 32 }, () => client.experiments.page()));
    expect(results.every((r) => r.status === 'rejected' && r.reason instanceof AuthenticationError)).toBe(
      true,
    );
    expect(h.sandbox.stats().byRoute['POST /api/auth/refresh']).toBe(1);
    expect(await caught(client.whoami())).toBeInstanceOf(AuthenticationError);
    expect(h.sandbox.stats().byRoute['POST /api/auth/refresh']).toBe(1);
  });
});

describe('a refused login is remembered for the run', () => {
  it('wrong credentials: one login call for 16 concurrent requests and none after', async () => {
    h = await harness({ users: [{ username: 'ann', password: 'ann-pw' }] });
    const client = h.client({ token: undefined, username: 'ann', password: 'not-it' });
    const results = await Promise.allSettled(Array.from({ length: 16 }, () => client.experiments.page()));
    expect(results.every((r) => r.status === 'rejected' && r.reason instanceof AuthenticationError)).toBe(
      true,
    );
    expect(await caught(client.whoami())).toBeInstanceOf(AuthenticationError);
    expect(h.sandbox.stats().byRoute['POST /api/auth/login']).toBe(1);
    // an explicit login starts over
    await client.login('ann', 'ann-pw');
    expect((await client.whoami()).username).toBe('ann');
  });
});

describe('write-back to the credentials file', () => {
  function credentialsHome(content: object): { env: NodeJS.ProcessEnv; file: string } {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-creds-'));
    tmpDirs.push(home);
    const file = path.join(home, '.config', 'mint', 'credentials.json');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(content), { mode: 0o600 });
    return { env: { HOME: home }, file };
  }

  for (const shape of ['per-host', 'flat'] as const) {
    it(`stores the refreshed session in the file it came from (${shape} shape, atomic, 0600)`, async () => {
      const clock = { t: Date.now() };
      h = await harness({ users: [{ username: 'ann', password: 'ann-pw' }], now: () => clock.t });
      const token = h.sandbox.createToken({ username: 'ann', kind: 'session', ttlSeconds: 600 });
      const content =
        shape === 'flat'
          ? { url: h.sandbox.url, token, username: 'ann', extra: 'kept' }
          : {
              default: h.sandbox.url,
              hosts: { [h.sandbox.url]: { token, username: 'ann' }, 'https://o.example': { token: 'other' } },
            };
      const { env, file } = credentialsHome(content);
      const client = new MintClient({ env });
      try {
        clock.t += 900_000; // expired on the server: a 401, then a refresh (within the window)
        expect((await client.whoami()).username).toBe('ann');
        const fresh = client.token as string;
        expect(fresh).not.toBe(token);
        const stored = JSON.parse(fs.readFileSync(file, 'utf8'));
        if (shape === 'flat') expect(stored).toEqual({ ...content, token: fresh });
        else {
          expect(stored.hosts[h.sandbox.url].token).toBe(fresh);
          expect(stored.hosts['https://o.example'].token).toBe('other');
        }
        expect(fs.statSync(file).mode & 0o777).toBe(0o600);
        expect(fs.readdirSync(path.dirname(file))).toEqual(['credentials.json']);
      } finally {
        client.close();
      }
    });
  }

  it('leaves the file alone when the token came from MINT_TOKEN', async () => {
    const clock = { t: Date.now() };
    h = await harness({ users: [{ username: 'ann', password: 'ann-pw' }], now: () => clock.t });
    const token = h.sandbox.createToken({ username: 'ann', kind: 'session', ttlSeconds: 600 });
    const { env, file } = credentialsHome({ url: h.sandbox.url, token: 'stored-token' });
    const client = new MintClient({ env: { ...env, MINT_TOKEN: token } });
    try {
      clock.t += 900_000;
      await client.whoami();
      expect(JSON.parse(fs.readFileSync(file, 'utf8')).token).toBe('stored-token');
    } finally {
      client.close();
    }
  });
});
