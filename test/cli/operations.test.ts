// upload/export operations in-process (the CLI tests cover them end to end) and the CLI's output rules.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportManifest, findExperiment, readDataFile, slugify, upload } from '../../src/actions/index.js';
import { MintClient } from '../../src/client/index.js';
import { Output } from '../../src/cli/output.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { tempDir, writeFiles } from './helpers.js';

let sandbox: Sandbox;
let client: MintClient;
let dir: string;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, quiet: true });
  client = new MintClient({ baseUrl: sandbox.url, token: sandbox.adminToken, env: {} });
  dir = tempDir('ops');
});

afterAll(async () => {
  client?.close();
  await sandbox?.close();
});

describe('readDataFile', () => {
  it('reads JSON and YAML, and refuses what JSON cannot hold or what is too big', async () => {
    writeFiles(dir, {
      'a.json': '{"x": [1, 2.5, null]}',
      'b.yml': 'x: 1\ny: [a, b]\n',
      'nan.yaml': 'x: .nan\n',
      'dup.yaml': 'x: 1\nx: 2\n',
      'empty.json': '  \n',
      'null.json': 'null\n',
      'null.yaml': '~\n',
      'big.json': JSON.stringify({ blob: 'x'.repeat(2048) }),
    });
    expect(await readDataFile('a.json', { cwd: dir })).toEqual({ x: [1, 2.5, null] });
    expect(await readDataFile('b.yml', { cwd: dir })).toEqual({ x: 1, y: ['a', 'b'] });
    await expect(readDataFile('nan.yaml', { cwd: dir })).rejects.toThrow(
      /^nan\.yaml:1:4: `\.nan` \(not a number\) cannot be stored/,
    );
    await expect(readDataFile('dup.yaml', { cwd: dir })).rejects.toThrow(/^dup\.yaml:2:1: duplicate key `x`/);
    // a pipeline that wrote null or nothing must not overwrite the stored data with null
    for (const f of ['empty.json', 'null.json', 'null.yaml'])
      await expect(readDataFile(f, { cwd: dir })).rejects.toThrow(
        new RegExp(`^${f.replace('.', '\\.')} holds no data \\(empty or null\\): refusing to upload it`),
      );
    await expect(readDataFile('big.json', { cwd: dir, maxBytes: 1024 })).rejects.toThrow(
      /^big\.json is 3 KiB, over the 1 KiB upload limit/,
    );
    await expect(readDataFile('missing.json', { cwd: dir })).rejects.toThrow(
      /cannot read missing\.json: no such file/,
    );
  });
});

describe('findExperiment / upload', () => {
  it('refuses a key claimed twice in a stack, and finds by code without a stack', async () => {
    const tags = { 'mint-manifest.stack': 'dup', 'mint-manifest.key': 'k1' };
    const a = await client.experiments.create({ name: 'A', experiment_type: 't', tags });
    await client.experiments.create({ name: 'B', experiment_type: 't', tags });
    await expect(findExperiment(client, 'k1', 'dup')).rejects.toThrow(
      /key "k1" is claimed by 2 experiments of stack dup .*pass the experiment code instead/,
    );
    const byCode = await findExperiment(client, a.experiment_code);
    expect(byCode).toMatchObject({ matchedBy: 'code', experiment: { id: a.id } });
  });

  it('checks the file before any request', async () => {
    sandbox.resetStats();
    await expect(
      upload({ client, experiment: 'X', kind: 'result', pluginId: 'p', file: 'missing.json', cwd: dir }),
    ).rejects.toThrow(/no such file/);
    expect(sandbox.stats().total).toBe(0);
  });
});

describe('exportManifest', () => {
  it('makes unique keys and file names from codes and plugin ids', async () => {
    expect(slugify('LCM-EXP-001')).toBe('lcm-exp-001');
    expect(slugify('--Weird code/№ 7')).toBe('weird-code-7');
    expect(slugify('***', 'fallback')).toBe('fallback');
    const e = await client.experiments.create({ name: 'Slashes', experiment_type: 'slash' });
    await client.experiments.analysis.save(e.id, 'iso/corr', { a: 1 });
    await client.experiments.analysis.save(e.id, 'iso-corr', { b: 2 });
    const res = await exportManifest({
      client,
      stack: 'slash',
      experimentType: 'slash',
      outFile: 'm.yaml',
      cwd: dir,
    });
    expect(res.files.sort()).toEqual([
      `results/${slugify(e.experiment_code)}-iso-corr-2.json`,
      `results/${slugify(e.experiment_code)}-iso-corr.json`,
    ]);
    const written = res.files.map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as unknown);
    expect(written).toEqual(expect.arrayContaining([{ a: 1 }, { b: 2 }]));
    expect(res.claimed).toEqual([e.experiment_code]);
  });

  it('refuses a stack name the manifest would reject, before any request', async () => {
    sandbox.resetStats();
    await expect(exportManifest({ client, stack: 'Bad Stack', outFile: 'x.yaml', cwd: dir })).rejects.toThrow(
      /stack "Bad Stack" is not a valid stack name/,
    );
    expect(sandbox.stats().total).toBe(0);
  });
});

describe('Output', () => {
  const sink = () => {
    let text = '';
    const stream = {
      isTTY: false,
      write: (s: string) => ((text += s), true),
    } as unknown as NodeJS.WriteStream;
    return { stream, read: () => text };
  };

  it('masks registered secrets and anything shaped like a MINT token', () => {
    const o = sink();
    const out = new Output({ stdout: o.stream, stderr: o.stream, env: {} });
    out.addSecret('hunter2-password');
    out.out(
      'pw hunter2-password pat mint_pat_abcDEF123 jwt eyJhbGciOi.eyJzdWIiOiJ4In0.sig header Bearer abcdefghijklmnop1234',
    );
    out.out('Bearer of good news');
    expect(o.read()).toBe('pw *** pat *** jwt *** header Bearer ***\nBearer of good news\n');
  });

  it('uses colour only on a terminal, never with NO_COLOR or --no-color', () => {
    const tty = { isTTY: true, write: () => true } as unknown as NodeJS.WriteStream;
    expect(new Output({ stdout: tty, env: {} }).color).toBe(true);
    expect(new Output({ stdout: tty, env: { NO_COLOR: '1' } }).color).toBe(false);
    expect(new Output({ stdout: tty, env: {}, color: false }).color).toBe(false);
    expect(new Output({ stdout: sink().stream, env: {} }).color).toBe(false);
  });
});
