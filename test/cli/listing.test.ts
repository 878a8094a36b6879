// An inconsistent listing stops plan and apply with the one line the contract names, exit 1, no
// stack-trace hint and no write.
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { baseEnv, runCli, tempDir, writeFiles } from './helpers.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ quiet: true, authRateLimit: false });
  const r = await fetch(`${sb.url}/_sandbox/seed`, {
    method: 'POST',
    headers: { authorization: `Bearer ${sb.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ experiments: 40, projects: 1 }),
  });
  expect(r.status).toBe(201);
});
afterAll(() => sb.close());

describe('an inconsistent listing', () => {
  it('plan and apply stop with "nothing was planned", exit 1, and write nothing', async () => {
    const dir = tempDir('listing');
    writeFiles(dir, {
      'mint.yaml':
        'version: 1\nstack: lab\nexperiments:\n  - key: e1\n    name: One\n    experiment_type: general\n',
    });
    sb.setFaults({ rules: [{ route: 'GET /api/experiments', pageCap: 10, shiftTotal: 1 }] });
    sb.resetStats();
    const env = baseEnv(path.join(dir, 'home'), { MINT_URL: sb.url, MINT_TOKEN: sb.adminToken });
    for (const args of [
      ['plan', 'mint.yaml'],
      ['apply', '--auto-approve', 'mint.yaml'],
    ]) {
      const r = await runCli(args, { cwd: dir, env });
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain("MINT's listing was inconsistent; nothing was planned");
      expect(r.stderr).not.toContain('--debug');
    }
    expect(sb.stats().writes).toBe(0);
  });
});
