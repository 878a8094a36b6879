// validate / plan / apply through the built CLI against an in-process sandbox.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MintClient } from '../../src/client/index.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { baseEnv, locatedLines, runCli, tempDir, transcript, writeFiles } from './helpers.js';

const MANIFEST = `version: 1
stack: cli-test
projects:
  - key: p1
    name: CLI test project
defaults:
  project: p1
  experiment_type: lcms_batch
experiments:
  - key: b1
    name: Batch one
    status: ongoing
    tags: { tracer: 13C }
    design:
      plugin_id: lcms-sequence
      data_file: designs/b1.json
    analysis:
      - plugin_id: peak-qc
        result: { score: 0.9 }
  - key: b2
    name: Batch two
`;

const INVALID = `version: 1
stack: cli-test
experiments:
  - key: b1
    nmae: Batch one
    experiment_type: lcms_batch
`;

let sandbox: Sandbox;
let client: MintClient;
let dir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, quiet: true });
  client = new MintClient({ baseUrl: sandbox.url, token: sandbox.adminToken, env: {} });
  dir = tempDir('plan');
  writeFiles(dir, {
    'mint.yaml': MANIFEST,
    'designs/b1.json': '{"samples": ["S1", "S2"]}\n',
    'bad.yaml': INVALID,
  });
  env = baseEnv(dir, { MINT_URL: sandbox.url, MINT_TOKEN: sandbox.adminToken });
});

afterAll(async () => {
  client?.close();
  await sandbox?.close();
  // the token reaches the CLI in every run above, and must never come back out
  expect(transcript.join('\n')).not.toContain(sandbox.adminToken);
});

const cli = (args: string[]) => runCli(args, { env, cwd: dir });

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('validate', () => {
  it('accepts a valid manifest (exit 0), defaulting to ./mint.yaml', async () => {
    const r = await cli(['validate']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/valid: mint\.yaml \(stack cli-test, 2 experiments, 1 project\)/);
  });

  it('reports every error as file:line:col and exits 1', async () => {
    const r = await cli(['validate', 'bad.yaml']);
    expect(r.code).toBe(1);
    const lines = locatedLines(r.stderr, 'bad.yaml');
    expect(r.stdout).toBe('');
    expect(lines.some((l) => /^bad\.yaml:5:5: error: .*`nmae`.*did you mean `name`/.test(l))).toBe(true);
    expect(r.stderr).toMatch(/^error: invalid: \d+ errors?$/m);

    const j = await cli(['validate', 'bad.yaml', '--format', 'json']);
    expect(j.code).toBe(1);
    const body = JSON.parse(j.stdout) as {
      valid: boolean;
      errors: { file: string; line: number; column: number }[];
    };
    expect(body.valid).toBe(false);
    expect(body.errors).toContainEqual(expect.objectContaining({ file: 'bad.yaml', line: 5, column: 5 }));
  });
});

describe('plan', () => {
  it('sends nothing to MINT when the manifest is invalid', async () => {
    sandbox.resetStats();
    const r = await cli(['plan', 'bad.yaml', '--detailed-exitcode']);
    expect(r.code).toBe(1);
    expect(locatedLines(r.stderr, 'bad.yaml').length).toBeGreaterThan(0);
    expect(r.stderr).toMatch(/nothing was sent to MINT/);
    expect(sandbox.stats().total).toBe(0);
  });

  it('prints the text plan and exits 2 with --detailed-exitcode when there are changes', async () => {
    const r = await cli(['plan', 'mint.yaml', '--detailed-exitcode']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('+ experiment b1');
    expect(r.stdout).toMatch(/Plan: 5 to create, 0 to update, 0 to delete/);
    expect(r.stdout).toMatch(/Fingerprint: [0-9a-f]{64}/);
  });

  it('prints JSON and saves it with --out; markdown for PR comments', async () => {
    const r = await cli(['plan', '--format', 'json', '--out', 'plan.json']);
    expect(r.code).toBe(0);
    const printed = JSON.parse(r.stdout) as {
      hasChanges: boolean;
      fingerprint: string;
      actions: { id: string }[];
    };
    expect(printed.hasChanges).toBe(true);
    expect(printed.actions.map((a) => a.id)).toContain('experiment.create:b1');
    const saved = JSON.parse(fs.readFileSync(path.join(dir, 'plan.json'), 'utf8')) as { fingerprint: string };
    expect(saved.fingerprint).toBe(printed.fingerprint);
    expect(r.stderr).toContain('Saved the plan to plan.json');

    const md = await cli(['plan', '--format', 'markdown']);
    expect(md.code).toBe(0);
    expect(md.stdout).toMatch(/^\*\*Plan: 5 to create/m);
    expect(md.stdout).toContain('```diff');
  });

  it('exits 1 (not 2) with --detailed-exitcode when MINT cannot be reached', async () => {
    const port = await closedPort();
    const r = await cli([
      'plan',
      '--detailed-exitcode',
      '--retries',
      '0',
      '--url',
      `http://127.0.0.1:${port}`,
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^error: MINT request failed: .*ECONNREFUSED/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('names a rejected token in one line without printing it', async () => {
    const bad = 'mint_pat_this-token-is-wrong-0123456789';
    const r = await runCli(['plan'], { env: { ...env, MINT_TOKEN: bad }, cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: MINT request failed: GET \/api\/\S+ → 401 /);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stdout + r.stderr).not.toContain(bad);
  });
});

describe('apply', () => {
  it('refuses off a terminal without --auto-approve or --plan, before any request', async () => {
    sandbox.resetStats();
    const r = await cli(['apply', 'mint.yaml']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no terminal.*--auto-approve.*--plan/);
    expect(sandbox.stats().total).toBe(0);
  });

  it('refuses a saved plan that MINT has moved away from, writing nothing', async () => {
    // someone creates the project by hand after the plan was saved
    await client.projects.create({ name: 'CLI test project' });
    sandbox.resetStats();
    const r = await cli(['apply', '--plan', 'plan.json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: the saved plan is stale: .*run plan again/m);
    expect(sandbox.stats().writes).toBe(0);
  });

  it('refuses when the plan fingerprint is not the reviewed one, writing nothing', async () => {
    sandbox.resetStats();
    const r = await cli(['apply', '--auto-approve', '--expect-fingerprint', '0'.repeat(64)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^error: the plan changed since it was reviewed: expected fingerprint 000000000000/m,
    );
    expect(sandbox.stats().writes).toBe(0);
  });

  it('applies with --auto-approve and the reviewed fingerprint; the next plan has no changes', async () => {
    const reviewed = await cli(['plan', '--format', 'json']);
    const fp = (JSON.parse(reviewed.stdout) as { fingerprint: string }).fingerprint;
    const r = await cli(['apply', '--auto-approve', '--expect-fingerprint', fp]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // off a terminal the results are counted per kind, and each new experiment is listed with its code
    expect(r.stdout).toMatch(/^ {2}✓ 2 experiment\.create$/m);
    expect(r.stdout).toMatch(/^ {2}✓ 1 analysis\.save$/m);
    expect(r.stdout).toMatch(/0 failed/);
    expect(r.stdout).toMatch(new RegExp(`^ {2}b1 +${(await findKey('b1')).experiment_code}$`, 'm'));

    const again = await cli(['plan', '--detailed-exitcode']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('No changes');
    const live = await client.experiments.list();
    expect(live.filter((e) => e.tags['mint-manifest.stack'] === 'cli-test')).toHaveLength(2);
  });

  it('exits 1 naming what failed and what was not applied', async () => {
    writeFiles(dir, {
      'designs/b1.json': '{"samples": ["S1", "S2", "S3"]}\n',
      'more.yaml': MANIFEST.replace(
        /experiments:[\s\S]*$/,
        'experiments:\n  - key: b3\n    name: Batch three\n',
      ).replace(/projects:[\s\S]*?defaults:/, 'defaults:'),
    });
    sandbox.setFaults({ rules: [{ method: 'PUT', route: '/api/experiments/{id}/data', error500: 1 }] });
    try {
      const r = await cli(['apply', 'mint.yaml', '--auto-approve', '--retries', '0']);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/design\.save:b1/);
      expect(r.stderr).toMatch(/^error: apply did not finish: .*1 failed \(design\.save:b1\)/m);
      expect(r.stderr).toMatch(/run apply again/);
    } finally {
      sandbox.setFaults({ rules: [] });
    }
    const healed = await cli(['apply', 'mint.yaml', '--auto-approve']);
    expect(healed.code).toBe(0);
    expect((await client.experiments.designData.get((await findKey('b1')).id)).data).toEqual({
      samples: ['S1', 'S2', 'S3'],
    });
  });
});

async function findKey(key: string) {
  const all = await client.experiments.list();
  const hit = all.find(
    (e) => e.tags['mint-manifest.stack'] === 'cli-test' && e.tags['mint-manifest.key'] === key,
  );
  if (!hit) throw new Error(`no experiment with key ${key}`);
  return hit;
}
