// Apply under seeded faults (5xx, 429 + Retry-After, resets, commit-then-stall on writes, late commits of
// creates, capped list pages with or without a total): whatever the faults do, the run reports every
// failure, never duplicates an experiment, and a second apply converges.
import { afterEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import { apply, plan } from '../../src/actions/index.js';
import type { ActionTarget } from '../../src/actions/types.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import type { FaultConfig } from '../../src/sandbox/types.js';
import {
  countOwned,
  duplicatesOf,
  loadOrThrow,
  newClient,
  scaled,
  tempDir,
  writeManifest,
} from './helpers.js';

const EXPERIMENTS = scaled(500, 60);
const SEEDS = scaled([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [11, 12, 13]);
const CLIENT_TIMEOUT_MS = 1500;
const STALL_MS = 2500;
/** Under the grace period of an ambiguous create (3 × CLIENT_TIMEOUT_MS). */
const LATE_COMMIT_MS = 1000;
const STACK = 'faults';

/**
 * Two variants alternate by seed. "retried": faults on every request, default client retries (the normal
 * case). "no retries": faults on writes only and a client that never retries, so failures certainly
 * reach the ApplyResult and the reporting itself is exercised.
 */
function variant(seed: number): { name: string; retries?: number; methods: (string | undefined)[] } {
  return seed % 2 === 0
    ? { name: 'no retries, faults on writes', retries: 0, methods: ['POST', 'PUT', 'PATCH', 'DELETE'] }
    : { name: 'retried, faults on all requests', methods: [undefined] };
}

function faults(seed: number): FaultConfig {
  const stallOnWrites = ['POST', 'PUT', 'PATCH', 'DELETE'].map((method) => ({
    method,
    route: '*',
    commitThenStall: 0.02,
    stallMs: STALL_MS,
  }));
  const errors = variant(seed).methods.map((method) => ({
    method,
    route: '*',
    error500: 0.05,
    error503: 0.05,
    rateLimit: 0.05,
    retryAfterSeconds: 1,
    reset: 0.03,
  }));
  // MINT (or its proxy) stores some creates only after the client gave up; lists are capped, and on
  // some seeds carry no total. The engine must neither resend such a create nor miss a page.
  const replies = ['reset', 'proxyError', 'okWithoutId'] as const;
  const late = {
    route: 'POST /api/experiments',
    lateCommit: 0.03,
    lateCommitReply: replies[seed % 3],
    commitDelayMs: LATE_COMMIT_MS,
  };
  const lists = { route: 'GET /api/experiments', pageCap: 37, omitTotal: seed % 3 === 0 };
  return { seed, rules: [late, lists, ...stallOnWrites, ...errors] };
}

function targetId(t: ActionTarget): string {
  return `${t.type}:${t.key}:${t.pluginId ?? ''}`;
}

let sandbox: Sandbox | undefined;
let dir: string | undefined;

afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe(`apply of ${EXPERIMENTS} experiments under seeded faults`, () => {
  for (const seed of SEEDS) {
    it(`seed ${seed} (${variant(seed).name}): reports every failure, never duplicates, converges`, async () => {
      sandbox = await startSandbox({ port: 0, quiet: true, authRateLimit: false, logSize: 100_000 });
      dir = tempDir(`faults-${seed}`);
      const { file } = writeManifest(dir, EXPERIMENTS, STACK);
      const manifest = await loadOrThrow(file);
      const { retries } = variant(seed);
      const faulty = newClient(sandbox.url, sandbox.adminToken, { timeoutMs: CLIENT_TIMEOUT_MS, retries });
      const clean = newClient(sandbox.url, sandbox.adminToken);

      sandbox.setFaults(faults(seed));
      const first = await apply({ manifest, client: faulty, concurrency: 16, continueOnError: true });
      sandbox.setFaults({ rules: [] });
      const injected = sandbox.log().filter((e) => e.fault).length;
      expect(injected, 'faults actually fired').toBeGreaterThan(0);
      const lateCommits = sandbox.log().filter((e) => e.fault?.startsWith('lateCommit')).length;

      // Every planned action is accounted for, and every failure carries a message.
      const { result } = first;
      const failed = result.results.filter((r) => r.status === 'failed');
      const skipped = result.results.filter((r) => r.status === 'skipped');
      expect(result.results).toHaveLength(first.plan.actions.length);
      expect(result.summary.failed).toBe(failed.length);
      expect(result.summary.skipped).toBe(skipped.length);
      expect(result.summary.ok + result.summary.failed + result.summary.skipped).toBe(result.results.length);
      expect(result.success).toBe(failed.length === 0 && skipped.length === 0);
      for (const r of [...failed, ...skipped]) expect(r.message, r.actionId).toMatch(/\S/);
      if (retries === 0)
        expect(failed.length, 'faults without retries must fail some actions').toBeGreaterThan(0);

      // Nothing reported ok is still missing: what a clean plan wants is only what did not succeed.
      expect(duplicatesOf(await countOwned(clean, STACK))).toEqual([]);
      const notOk = new Set(result.results.filter((r) => r.status !== 'ok').map((r) => targetId(r.target)));
      const after = await plan({ manifest, client: clean });
      const unexpected = after.actions.filter((a) => !notOk.has(targetId(a.target))).map((a) => a.id);
      expect(unexpected, 'actions reported ok but not live').toEqual([]);

      const second = await apply({ manifest, client: clean, concurrency: 16 });
      expect(second.result.summary.failed).toBe(0);
      expect(second.result.success).toBe(true);

      const final = await plan({ manifest, client: clean });
      expect(final.hasChanges, JSON.stringify(final.summary)).toBe(false);
      const counts = await countOwned(clean, STACK);
      expect(duplicatesOf(counts), `${lateCommits} late commits`).toEqual([]);
      expect(counts.size).toBe(EXPERIMENTS);
    });
  }
});
