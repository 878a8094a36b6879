// The built CLI's apply, killed with SIGKILL at a seeded random point, then re-run: it must converge
// with no duplicate experiments (a create whose response was lost is found by its ownership tags).
import { afterEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { plan } from '../../src/actions/index.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import {
  countOwned,
  duplicatesOf,
  isolatedEnv,
  loadOrThrow,
  newClient,
  runCli,
  scaled,
  seededRandom,
  tempDir,
  writeManifest,
} from './helpers.js';

const EXPERIMENTS = scaled(150, 80);
const TRIALS = scaled([101, 102, 103, 104, 105, 106], [107, 108]);
const STACK = 'sigkill';

let sandbox: Sandbox | undefined;
let dir: string | undefined;

afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe(`apply of ${EXPERIMENTS} experiments killed with SIGKILL, then re-run`, () => {
  for (const seed of TRIALS) {
    it(`seed ${seed}: converges with no duplicates`, async () => {
      sandbox = await startSandbox({
        port: 0,
        quiet: true,
        authRateLimit: false,
        faults: { rules: [{ route: '*', latencyMs: 20 }] },
      });
      const sb = sandbox;
      dir = tempDir(`sigkill-${seed}`);
      const { file } = writeManifest(dir, EXPERIMENTS, STACK);
      const env = isolatedEnv(dir, { MINT_URL: sb.url, MINT_TOKEN: sb.adminToken });
      const args = ['apply', '--auto-approve', path.basename(file)];

      // Kill after a seeded number of writes in [1, 2N]: a full apply makes at least 3N (create, design,
      // result), so the kill always lands mid-apply, sometimes during the creates, sometimes after.
      const killAfterWrites = 1 + Math.floor(seededRandom(seed)() * 2 * EXPERIMENTS);
      sb.resetStats();
      let poll: NodeJS.Timeout | undefined;
      const killed = await runCli(args, {
        cwd: dir,
        env,
        onSpawn: (child) => {
          poll = setInterval(() => {
            if (sb.stats().writes >= killAfterWrites) {
              child.kill('SIGKILL');
              clearInterval(poll);
            }
          }, 2);
        },
      }).finally(() => clearInterval(poll));
      expect(killed.signal, `the apply finished before ${killAfterWrites} writes: ${killed.stderr}`).toBe(
        'SIGKILL',
      );
      const writesAtKill = sb.stats().writes;
      expect(writesAtKill).toBeGreaterThanOrEqual(killAfterWrites);
      expect(duplicatesOf(await countOwned(newClient(sb.url, sb.adminToken), STACK))).toEqual([]);

      const rerun = await runCli(args, { cwd: dir, env });
      expect(rerun.code, rerun.stderr).toBe(0);

      sb.setFaults({ rules: [] });
      const client = newClient(sb.url, sb.adminToken);
      const counts = await countOwned(client, STACK);
      expect(duplicatesOf(counts)).toEqual([]);
      expect(counts.size).toBe(EXPERIMENTS);
      const after = await plan({ manifest: await loadOrThrow(file), client });
      expect(after.hasChanges, JSON.stringify(after.summary)).toBe(false);
    });
  }
});
