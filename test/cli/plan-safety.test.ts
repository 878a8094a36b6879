// Drift and duplicates through the built CLI: orphans are changes (exit 2), duplicates a problem
// (exit 1), `apply --dedupe` removes the empty copy and the apply output names created codes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MintClient } from '../../src/client/index.js';
import type { Experiment } from '../../src/client/models.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { baseEnv, runCli, tempDir, transcript, writeFiles } from './helpers.js';

const manifest = (keys: string[]) => `version: 1
stack: cli-safe
projects:
  - key: p1
    name: CLI safety project
defaults:
  project: p1
  experiment_type: lcms_batch
experiments:
${keys.map((k) => `  - key: ${k}\n    name: Exp ${k}\n`).join('')}`;

let sandbox: Sandbox;
let client: MintClient;
let dir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, quiet: true });
  client = new MintClient({ baseUrl: sandbox.url, token: sandbox.adminToken, env: {} });
  dir = tempDir('safety');
  env = baseEnv(dir, { MINT_URL: sandbox.url, MINT_TOKEN: sandbox.adminToken });
});

afterAll(async () => {
  client?.close();
  await sandbox?.close();
  expect(transcript.join('\n')).not.toContain(sandbox.adminToken);
});

const cli = (args: string[]) => runCli(args, { env, cwd: dir });
const ours = async (): Promise<Experiment[]> =>
  (await client.experiments.list({ limit: 1000 })).filter(
    (e) => e.tags['mint-manifest.stack'] === 'cli-safe',
  );

describe('drift and duplicates in the CLI', () => {
  it('lists created codes, treats orphans as changes and duplicates as a problem; --dedupe fixes them', async () => {
    writeFiles(dir, { 'mint.yaml': manifest(['a', 'b']) });
    const created = await cli(['apply', '--auto-approve']);
    expect(created.code).toBe(0);
    const live = await ours();
    for (const e of live)
      expect(created.stdout).toMatch(
        new RegExp(`${e.tags['mint-manifest.key'] as string}\\s+${e.experiment_code}`),
      );

    // b leaves the manifest: an orphan is drift, never "No changes".
    writeFiles(dir, { 'mint.yaml': manifest(['a']) });
    const drift = await cli(['plan', '--detailed-exitcode']);
    expect(drift.code).toBe(2);
    expect(drift.stdout).toContain('Orphans (to delete with --prune):');
    expect(drift.stdout).not.toContain('No changes');

    // A second experiment with a's tags: plan exits 1 and says how to fix it.
    const a = live.find((e) => e.tags['mint-manifest.key'] === 'a')!;
    const copy = await client.experiments.create({
      name: a.name,
      experiment_type: a.experiment_type,
      project_id: a.project_id ?? undefined,
      tags: { 'mint-manifest.stack': 'cli-safe', 'mint-manifest.key': 'a' },
    });
    const dup = await cli(['plan']);
    expect(dup.code).toBe(1);
    expect(dup.stdout).toContain('Duplicates (keys carried by several experiments; left alone until fixed):');
    expect(dup.stdout).toContain(`${copy.experiment_code}  "Exp a" holds nothing`);
    expect(dup.stderr).toMatch(/1 key is carried by several experiments/);

    const fixed = await cli(['apply', '--auto-approve', '--dedupe', '--prune', '--max-deletes', '2']);
    expect(fixed.code, fixed.stderr).toBe(0);
    expect((await ours()).map((e) => e.id)).toEqual([a.id]);
    const clean = await cli(['plan', '--detailed-exitcode']);
    expect(clean.code).toBe(0);
    expect(clean.stdout).toContain('No changes.');
  });
});
