// What `${VAR}` may read from the CLI (--allow-env, MINT_MANIFEST_ALLOW_ENV, credentials never),
// that files the CLI writes are redacted, and where the workspace root is (--root, git work tree).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { baseEnv, runCli, tempDir, writeFiles } from './helpers.js';

const DEPLOY_KEY = 'ssh-ed25519 AAAAC3NzaDeployKeyValue';
const TOKEN = 'mint_pat_envTestAdminToken0000000';

const manifest = (notes: string, extra = '') => `version: 1
stack: env-test
experiments:
  - key: e1
    name: One
    experiment_type: lcms_batch
    notes: "${notes}"
${extra}`;

let sandbox: Sandbox;
let dir: string;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, quiet: true, adminToken: TOKEN });
  dir = tempDir('env');
  writeFiles(dir, {
    'deploy.yaml': manifest('key ${DEPLOY_KEY}'),
    'lab.yaml': manifest('${LAB_RUN} ${DEPLOY_KEY}'),
    'token.yaml': manifest('${MINT_TOKEN}'),
    'copy.yaml': manifest('${MINT_VAR_COPY}'),
    'context.yaml': manifest('${GITHUB_SHA} ${MINT_VAR_BATCH}'),
    'literal.yaml': manifest(TOKEN),
  });
});

afterAll(async () => {
  await sandbox?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const run = (args: string[], extra: NodeJS.ProcessEnv = {}, cwd = dir) =>
  runCli(args, { cwd, env: baseEnv(dir, { DEPLOY_KEY, LAB_RUN: 'r7', ...extra }) });

describe('${VAR} reads only what the workflow allows', () => {
  it('refuses an unlisted variable at its location, says how to allow it, never prints its value', async () => {
    const r = await run(['validate', 'deploy.yaml']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('deploy.yaml:7:17: error: experiments[0].notes:');
    expect(r.stderr).toContain('`DEPLOY_KEY` may not be read');
    expect(r.stderr).toContain('--allow-env DEPLOY_KEY');
    expect(r.stdout + r.stderr).not.toContain('AAAAC3Nza');
    // Unset, it is refused the same way (not "not set"): the reference itself is the problem.
    const unset = await runCli(['validate', 'deploy.yaml'], { cwd: dir, env: baseEnv(dir) });
    expect(unset.code).toBe(1);
    expect(unset.stderr).toContain('`DEPLOY_KEY` may not be read');
  });

  it('reads MINT_VAR_* and the run context by default', async () => {
    const r = await run(['validate', 'context.yaml'], { GITHUB_SHA: 'abc', MINT_VAR_BATCH: 'b1' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('--allow-env (repeatable, globs) and MINT_MANIFEST_ALLOW_ENV widen the list', async () => {
    expect(
      (await run(['validate', 'lab.yaml', '--allow-env', 'LAB_*', '--allow-env', 'DEPLOY_KEY'])).code,
    ).toBe(0);
    expect((await run(['validate', 'lab.yaml', '--allow-env', 'LAB_RUN,DEPLOY_*'])).code).toBe(0);
    expect((await run(['validate', 'lab.yaml'], { MINT_MANIFEST_ALLOW_ENV: 'LAB_*,DEPLOY_KEY' })).code).toBe(
      0,
    );
    const partly = await run(['validate', 'lab.yaml', '--allow-env', 'LAB_*']);
    expect(partly.code).toBe(1);
    expect(partly.stderr).toContain('lab.yaml:7:24: error');
    expect(partly.stderr).not.toContain('LAB_RUN` may not');
  });

  it('a malformed allow-list is a usage error', async () => {
    const r = await run(['validate', 'lab.yaml', '--allow-env', 'LAB-RUN']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--allow-env: "LAB-RUN" is not a variable name');
    const fromEnv = await run(['validate', 'lab.yaml'], { MINT_MANIFEST_ALLOW_ENV: 'a b-c' });
    expect(fromEnv.stderr).toContain('MINT_MANIFEST_ALLOW_ENV: "b-c"');
  });

  it('never reads MINT_TOKEN, even when allowed, nor a variable holding the token', async () => {
    const r = await run(['validate', 'token.yaml', '--allow-env', 'MINT_TOKEN,*'], { MINT_TOKEN: TOKEN });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('`MINT_TOKEN` holds a credential and can never be interpolated');
    const copy = await run(['validate', 'copy.yaml'], { MINT_TOKEN: TOKEN, MINT_VAR_COPY: TOKEN });
    expect(copy.code).toBe(1);
    expect(copy.stderr).toContain('the value of `MINT_VAR_COPY` is a secret');
    for (const out of [r, copy]) expect(out.stdout + out.stderr).not.toContain('envTestAdminToken');
  });

  it('plan --out: the saved plan goes through the same redaction as the output', async () => {
    const env = { MINT_URL: sandbox.url, MINT_TOKEN: TOKEN };
    const r = await run(['plan', 'literal.yaml', '--out', 'plan.json'], env);
    expect(r.code, r.stderr).toBe(0);
    const saved = fs.readFileSync(path.join(dir, 'plan.json'), 'utf8');
    expect(saved).toContain('"notes"');
    expect(saved).not.toContain('envTestAdminToken');
  });
});

describe('workspace root', () => {
  const design = (ref: string) =>
    `version: 1\nstack: ws\nexperiments:\n  - key: a\n    name: A\n    experiment_type: t\n    design:\n      plugin_id: p\n      data_file: ${ref}\n`;

  it('validate ../lab/mint.yaml from a sibling folder accepts designs/x.json', async () => {
    const root = tempDir('root');
    writeFiles(root, {
      'lab/mint.yaml': design('designs/x.json'),
      'lab/designs/x.json': '{"x": 1}',
      'sibling/.keep': '',
    });
    const r = await runCli(['validate', '../lab/mint.yaml'], {
      cwd: path.join(root, 'sibling'),
      env: baseEnv(root),
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('is the git work tree holding the manifest; --root overrides it', async () => {
    const root = tempDir('git');
    writeFiles(root, {
      'repo/.git/HEAD': 'ref: refs/heads/main\n',
      'repo/lab/mint.yaml': design('../shared/x.json'),
      'repo/shared/x.json': '{"shared": 1}',
      'elsewhere/.keep': '',
    });
    const cwd = path.join(root, 'elsewhere');
    const env = baseEnv(root);
    const inTree = await runCli(['validate', '../repo/lab/mint.yaml'], { cwd, env });
    expect(inTree.stderr).toBe('');
    expect(inTree.code).toBe(0);
    const narrowed = await runCli(['validate', '../repo/lab/mint.yaml', '--root', '../repo/lab'], {
      cwd,
      env,
    });
    expect(narrowed.code).toBe(1);
    expect(narrowed.stderr).toContain('leaves the workspace root');
    const missing = await runCli(['validate', '../repo/lab/mint.yaml', '--root', 'nope'], { cwd, env });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('--root nope is not a folder');
    fs.rmSync(root, { recursive: true, force: true });
  });
});
