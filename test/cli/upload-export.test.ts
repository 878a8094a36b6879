// upload and export through the built CLI against an in-process sandbox.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MintClient, type Experiment } from '../../src/client/index.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { baseEnv, runCli, tempDir, transcript, writeFiles } from './helpers.js';

let sandbox: Sandbox;
let client: MintClient;
let dir: string;
let env: NodeJS.ProcessEnv;
let legacy: Experiment;
let owned: Experiment;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, quiet: true });
  client = new MintClient({ baseUrl: sandbox.url, token: sandbox.adminToken, env: {} });
  dir = tempDir('upload');
  env = baseEnv(dir, { MINT_URL: sandbox.url, MINT_TOKEN: sandbox.adminToken });
  writeFiles(dir, {
    'qc.json': '{"score": 0.97, "peaks": [101.2, 230.4]}\n',
    'design.yaml': 'instrument: QExactive\nsamples:\n  - S1\n  - S2\n',
    'broken.json': '{\n  "score": 0.97,\n}\n',
  });
  // What a lab already has in MINT before adopting mint-manifest.
  const project = await client.projects.create({ name: 'Legacy lab', description: 'older work' });
  legacy = await client.experiments.create({
    name: 'Old run 1',
    experiment_type: 'lcms_batch',
    project_id: project.id,
    notes: 'first try\nsecond line',
    tags: { owner: 'kim', nested: { a: 1 } },
    start_date: '2024-03-01',
  });
  await client.experiments.update(legacy.id, { status: 'ongoing' });
  await client.experiments.designData.save(legacy.id, {
    plugin_id: 'lcms-sequence',
    data: { samples: [1, 2] },
    schema_version: '2.1',
  });
  await client.experiments.analysis.save(legacy.id, 'peak-qc', { ok: true });
  await client.experiments.create({ name: 'Old run 2', experiment_type: 'pilot', project_id: project.id });
  owned = await client.experiments.create({
    name: 'Pipeline batch',
    experiment_type: 'lcms_batch',
    tags: { 'mint-manifest.stack': 'pipeline', 'mint-manifest.key': 'batch-07' },
  });
});

afterAll(async () => {
  client?.close();
  await sandbox?.close();
  expect(transcript.join('\n')).not.toContain(sandbox.adminToken);
});

const cli = (args: string[], cwd = dir) => runCli(args, { env, cwd });

describe('upload', () => {
  it('uploads an analysis result by experiment code; a second upload is the same record (idempotent PUT)', async () => {
    const args = [
      'upload',
      '--experiment',
      legacy.experiment_code,
      '--result',
      'qc.json',
      '--plugin',
      'peak-qc',
    ];
    sandbox.resetStats();
    const first = await cli([...args, '--format', 'json']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const a = JSON.parse(first.stdout) as { experiment: { id: number }; record: { result: unknown } };
    const second = await cli([...args, '--format', 'json']);
    expect(second.code).toBe(0);
    const b = JSON.parse(second.stdout) as typeof a;
    expect(a.experiment.id).toBe(legacy.id);
    expect(b.record.result).toEqual(a.record.result);
    expect(a.record.result).toEqual({ score: 0.97, peaks: [101.2, 230.4] });
    expect(sandbox.stats().byRoute['PUT /api/experiments/{id}/results/{plugin_id}']).toBe(2);
    expect(
      (await client.experiments.analysis.list(legacy.id)).filter((r) => r.plugin_id === 'peak-qc'),
    ).toHaveLength(1);

    const text = await cli(args);
    expect(text.stdout).toMatch(
      new RegExp(`uploaded analysis result peak-qc from qc.json to ${legacy.experiment_code}`),
    );
  });

  it('uploads design data (YAML) by manifest key and stack, with a schema version', async () => {
    const r = await cli([
      'upload',
      '--experiment',
      'batch-07',
      '--stack',
      'pipeline',
      '--design',
      'design.yaml',
      '--plugin',
      'lcms-sequence',
      '--schema-version',
      '2.0',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`design data lcms-sequence from design.yaml to ${owned.experiment_code}`);
    const saved = await client.experiments.designData.get(owned.id);
    expect(saved).toMatchObject({ plugin_id: 'lcms-sequence', schema_version: '2.0' });
    expect(saved.data).toEqual({ instrument: 'QExactive', samples: ['S1', 'S2'] });
  });

  it('rejects a broken file with its location, sending no write', async () => {
    sandbox.resetStats();
    const r = await cli([
      'upload',
      '--experiment',
      legacy.experiment_code,
      '--result',
      'broken.json',
      '--plugin',
      'x',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: broken\.json:3:1: invalid JSON/);
    expect(sandbox.stats().total).toBe(0);
  });

  it('explains an unknown experiment and bad flag combinations', async () => {
    const missing = await cli(['upload', '--experiment', 'NOPE-999', '--result', 'qc.json', '--plugin', 'x']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no experiment has code "NOPE-999".*--stack/);
    const both = await cli([
      'upload',
      '--experiment',
      'X',
      '--result',
      'qc.json',
      '--design',
      'qc.json',
      '--plugin',
      'x',
    ]);
    expect(both.code).toBe(1);
    expect(both.stderr).toMatch(/either --result FILE or --design FILE, not both/);
  });
});

describe('export', () => {
  it('writes a manifest with data files that plan right after shows as no changes', async () => {
    const out = tempDir('export');
    const r = await cli(
      ['export', '--project', 'Legacy lab', '--stack', 'legacy', '--out', 'mint.yaml'],
      out,
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /wrote mint\.yaml: stack legacy, 2 experiment\(s\), 1 project\(s\), 2 data file\(s\)/,
    );
    const doc = parse(fs.readFileSync(path.join(out, 'mint.yaml'), 'utf8')) as {
      stack: string;
      projects: { key: string; name: string }[];
      experiments: Record<string, unknown>[];
    };
    expect(doc.projects).toEqual([{ key: 'legacy-lab', name: 'Legacy lab' }]);
    const first = doc.experiments.find((e) => e.code === legacy.experiment_code) as Record<string, unknown>;
    expect(first).toMatchObject({
      name: 'Old run 1',
      project: 'legacy-lab',
      status: 'ongoing',
      notes: 'first try\nsecond line',
      tags: { owner: 'kim' },
      design: { plugin_id: 'lcms-sequence', schema_version: '2.1' },
    });
    const design = first.design as { data_file: string };
    expect(JSON.parse(fs.readFileSync(path.join(out, design.data_file), 'utf8'))).toEqual({
      samples: [1, 2],
    });
    const analysis = first.analysis as { plugin_id: string; result_file: string }[];
    expect(analysis.map((a) => a.plugin_id)).toEqual(['peak-qc']);
    expect(fs.existsSync(path.join(out, analysis[0].result_file))).toBe(true);

    const plan = await cli(['plan', 'mint.yaml', '--detailed-exitcode'], out);
    expect(plan.stderr).toBe('');
    expect(plan.stdout).toContain('No changes');
    expect(plan.code).toBe(0);
  });

  it('refuses to overwrite an existing manifest without --force', async () => {
    const out = tempDir('export-again');
    writeFiles(out, { 'mint.yaml': 'hand-written\n' });
    const r = await cli(['export', '--stack', 'other', '--out', 'mint.yaml'], out);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/mint\.yaml already exists: .*--force/);
    expect(fs.readFileSync(path.join(out, 'mint.yaml'), 'utf8')).toBe('hand-written\n');
  });

  it('with --no-claim writes nothing to MINT, and plan then shows the adoptions', async () => {
    const fresh = await client.experiments.create({ name: 'Survey', experiment_type: 'survey' });
    const out = tempDir('export-noclaim');
    sandbox.resetStats();
    const r = await cli(['export', '--stack', 'preview', '--type', 'survey', '--no-claim'], out);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/1 experiment\(s\)/);
    expect(sandbox.stats().writes).toBe(0);
    const plan = await cli(['plan', '--detailed-exitcode'], out);
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain(
      `adopt experiment ${fresh.experiment_code.toLowerCase()} (${fresh.experiment_code})`,
    );
  });

  it('leaves out experiments owned by another stack, saying so', async () => {
    const out = tempDir('export-other');
    const r = await cli(['export', '--stack', 'third', '--project', 'Legacy lab'], out);
    expect(r.code).toBe(0);
    // both experiments of the project were claimed by the stack "legacy" above
    expect(r.stdout).toMatch(/0 experiment\(s\)/);
    expect(r.stderr).toMatch(new RegExp(`warning: ${legacy.experiment_code}: owned by stack "legacy"`));
  });
});
