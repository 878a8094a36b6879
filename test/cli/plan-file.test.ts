// The saved-plan file (`plan --out`, read by `apply --plan`) is checked against its JSON Schema
// (src/actions/plan.schema.json, printed by `schema --plan`): a tampered file names what is wrong.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { baseEnv, runCli, tempDir, writeFiles } from './helpers.js';

const FULL = `version: 1
stack: plan-file
projects:
  - key: p
    name: Plan file project
defaults:
  project: p
  experiment_type: lcms_batch
experiments:
  - key: a
    name: A
    status: completed
    design: { plugin_id: seq, data: { n: 1 } }
    analysis:
      - plugin_id: qc
        result: { score: 1 }
  - key: gone
    name: Gone soon
`;

let sandbox: Sandbox;
let dir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, quiet: true });
  dir = tempDir('plan-file');
  // `gone` exists in MINT but no longer in the manifest: the saved plan has an orphan and a delete
  writeFiles(dir, { 'mint.yaml': FULL });
  env = baseEnv(dir, { MINT_URL: sandbox.url, MINT_TOKEN: sandbox.adminToken });
  const first = await runCli(['apply', '--auto-approve', '-q'], { env, cwd: dir });
  expect(first.code).toBe(0);
  writeFiles(dir, {
    'mint.yaml': FULL.replace(/ {2}- key: gone[\s\S]*$/, '').replace('name: A', 'name: A two'),
  });
});

afterAll(async () => {
  await sandbox?.close();
});

const cli = (args: string[]) => runCli(args, { env, cwd: dir });

function savedPlan(): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(dir, 'plan.json'), 'utf8')) as Record<string, unknown>;
}

async function applyTampered(edit: (p: Record<string, unknown>) => void) {
  const p = savedPlan();
  edit(p);
  fs.writeFileSync(path.join(dir, 'tampered.json'), JSON.stringify(p));
  sandbox.resetStats();
  const r = await cli(['apply', '--plan', 'tampered.json']);
  expect(r.code).toBe(1);
  expect(sandbox.stats().writes).toBe(0);
  return r.stderr;
}

describe('saved plan file', () => {
  it('schema --plan prints the schema every saved plan satisfies', async () => {
    const saved = await cli(['plan', '--prune', '--out', 'plan.json', '-q']);
    expect(saved.code).toBe(0);
    const schema = await cli(['schema', '--plan']);
    expect(schema.code).toBe(0);
    const validate = new Ajv2020({ strict: true, allErrors: true }).compile(
      JSON.parse(schema.stdout) as object,
    );
    const plan = savedPlan();
    expect(validate(plan), JSON.stringify(validate.errors)).toBe(true);
    // the sample covers the optional parts too
    expect((plan.actions as { id: string }[]).map((a) => a.id)).toEqual(
      expect.arrayContaining(['experiment.update:a', 'experiment.delete:gone']),
    );
    expect(plan.orphans).toHaveLength(1);
  });

  it('a tampered file names every problem by its place, and nothing is written', async () => {
    const stderr = await applyTampered((p) => {
      const actions = p.actions as Record<string, unknown>[];
      actions[0].op = 'explode';
      delete p.fingerprint;
      (p.liveState as Record<string, string>)['experiment:a'] = 'not-a-digest';
    });
    expect(stderr).toMatch(/^error: cannot use the plan file tampered\.json: /m);
    expect(stderr).toContain('the top level has no "fingerprint"');
    expect(stderr).toContain('/actions/0/op must be one of create, update, delete, found "explode"');
    expect(stderr).toContain(
      '/liveState/experiment:a must be "absent" or 64 hex digits (a sha256), found "not-a-digest"',
    );
    expect(stderr).toMatch(/write it again with plan --out/);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a dependency on an action the plan does not have, or a repeated id, is named', async () => {
    const stderr = await applyTampered((p) => {
      const actions = p.actions as { id: string; dependsOn: string[] }[];
      actions[actions.length - 1].dependsOn = ['experiment.create:nowhere'];
      actions.push({ ...actions[0] });
    });
    expect(stderr).toMatch(
      /dependsOn\/0 names "experiment\.create:nowhere", which is not an action of the plan/,
    );
    expect(stderr).toMatch(/\/actions\/\d+\/id repeats "/);
  });

  it('wrong types are named with what was found', async () => {
    const stderr = await applyTampered((p) => {
      p.prune = 'yes';
      p.actions = {};
    });
    expect(stderr).toContain('/prune must be boolean, found "yes"');
    expect(stderr).toContain('/actions must be array, found {}');
  });

  it('the untouched file still applies', async () => {
    const r = await cli(['apply', '--plan', 'plan.json', '-q']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/0 failed/);
  });
});
