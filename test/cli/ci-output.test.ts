// Output that fits a CI log (issue 16 §5) and created experiments' codes (issue 15 §5), through the
// built CLI against an in-process sandbox. stdout is never a terminal here: the CI case.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MintClient } from '../../src/client/index.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { baseEnv, runCli, tempDir, transcript, writeFiles } from './helpers.js';

let sandbox: Sandbox;
let client: MintClient;
let dir: string;
let env: NodeJS.ProcessEnv;

/** `count` experiments, each with design data: two actions per experiment. */
function manifest(stack: string, count: number): string {
  const lines = [`version: 1`, `stack: ${stack}`, `experiments:`];
  for (let i = 0; i < count; i++) {
    lines.push(
      `  - key: e${String(i).padStart(3, '0')}`,
      `    name: Experiment ${i}`,
      `    experiment_type: lcms_batch`,
      `    design:`,
      `      plugin_id: lcms-sequence`,
      `      data: { run: ${i} }`,
    );
  }
  return `${lines.join('\n')}\n`;
}

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, quiet: true });
  client = new MintClient({ baseUrl: sandbox.url, token: sandbox.adminToken, env: {} });
  dir = tempDir('ci-output');
  writeFiles(dir, {
    'big.yaml': manifest('ci-big', 300),
    'grouped.yaml': manifest('ci-grouped', 4),
    'verbose.yaml': manifest('ci-verbose', 2),
    'failing.yaml': manifest('ci-failing', 3),
    'json.yaml': manifest('ci-json', 2),
    'json-failing.yaml': manifest('ci-json-failing', 2),
    'few.yaml': manifest('ci-few', 2),
    'pending.yaml': manifest('ci-pending', 1),
    'bad.yaml': 'version: 1\nstack: ci\nexperiments:\n  - key: b1\n    nmae: x\n    experiment_type: t\n',
  });
  env = baseEnv(dir, { MINT_URL: sandbox.url, MINT_TOKEN: sandbox.adminToken });
});

afterAll(async () => {
  client?.close();
  await sandbox?.close();
  expect(transcript.join('\n')).not.toContain(sandbox.adminToken);
});

const cli = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) =>
  runCli(args, { env: { ...env, ...extraEnv }, cwd: dir, timeoutMs: 60_000 });

function lines(text: string): string[] {
  return text.split('\n').filter((l) => l.trim() !== '');
}

async function codesOf(stack: string): Promise<Map<string, string>> {
  const all = await client.experiments.list();
  return new Map(
    all
      .filter((e) => e.tags['mint-manifest.stack'] === stack)
      .map((e) => [String(e.tags['mint-manifest.key']), e.experiment_code]),
  );
}

describe('apply output', () => {
  it('-q: a 300-experiment apply prints its result line, and nothing per action', async () => {
    const r = await cli(['apply', 'big.yaml', '--auto-approve', '-q']);
    expect(r.code).toBe(0);
    const all = [...lines(r.stdout), ...lines(r.stderr)];
    expect(all.length).toBeLessThanOrEqual(10);
    expect(r.stdout).toMatch(/^Apply for stack ci-big: 600 ok, 0 failed, 0 skipped\.$/m);
    expect(r.stdout).toMatch(/^Created 300 experiments /m);
    expect(r.stdout).not.toMatch(/experiment\.create:/);
    expect(await codesOf('ci-big')).toHaveProperty('size', 300);
  }, 90_000);

  it('-q names the codes of a few new experiments on the result line', async () => {
    const r = await cli(['apply', 'few.yaml', '--auto-approve', '-q']);
    expect(r.code).toBe(0);
    const codes = await codesOf('ci-few');
    expect(r.stdout.trim().split('\n')).toEqual([
      'Apply for stack ci-few: 4 ok, 0 failed, 0 skipped.',
      `Created: ${codes.get('e000')} (e000), ${codes.get('e001')} (e001).`,
    ]);
  });

  it('off a terminal: successes as counts per kind, and every new experiment with its code', async () => {
    const r = await cli(['apply', 'grouped.yaml', '--auto-approve']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^ {2}✓ 4 experiment\.create$/m);
    expect(r.stdout).toMatch(/^ {2}✓ 4 design\.save$/m);
    // no line per action
    expect(r.stdout).not.toMatch(/✓ experiment\.create:/);
    const codes = await codesOf('ci-grouped');
    expect(codes.size).toBe(4);
    expect(r.stdout).toMatch(/^Created 4 experiments:$/m);
    for (const [key, code] of codes) expect(r.stdout).toMatch(new RegExp(`^ {2}${key} +${code}$`, 'm'));
  });

  it('-v lists every action', async () => {
    const r = await cli(['apply', 'verbose.yaml', '--auto-approve', '-v']);
    expect(r.code).toBe(0);
    for (const id of [
      'experiment.create:e000',
      'experiment.create:e001',
      'design.save:e000',
      'design.save:e001',
    ])
      expect(r.stdout).toContain(`✓ ${id}`);
  });

  it('failures in full, skips counted by reason; -q keeps the failures and drops the successes', async () => {
    sandbox.setFaults({ rules: [{ method: 'PUT', route: '/api/experiments/{id}/data', error500: 1 }] });
    try {
      const r = await cli([
        'apply',
        'failing.yaml',
        '--auto-approve',
        '--retries',
        '0',
        '--continue-on-error',
      ]);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/^ {2}✓ 3 experiment\.create$/m);
      for (const key of ['e000', 'e001', 'e002'])
        expect(r.stdout).toMatch(new RegExp(`^ {2}✗ design\\.save:${key} — .*500`, 'm'));
      expect(r.stderr).toMatch(
        /^error: apply did not finish: 3 actions applied, 3 failed \(design\.save:e00\d, /m,
      );

      const q = await cli([
        'apply',
        'failing.yaml',
        '--auto-approve',
        '--retries',
        '0',
        '--concurrency',
        '1',
        '-q',
      ]);
      expect(q.code).toBe(1);
      expect(q.stdout).toMatch(/^Apply for stack ci-failing: 0 ok, 1 failed, \d+ skipped\.$/m);
      expect(q.stdout).toMatch(/^ {2}✗ design\.save:e00\d — /m);
      expect(q.stdout).not.toMatch(/✓/);
      expect([...lines(q.stdout), ...lines(q.stderr)].length).toBeLessThanOrEqual(4);
    } finally {
      sandbox.setFaults({ rules: [] });
    }
  });
});

describe('apply --format json', () => {
  interface ApplyDoc {
    success: boolean;
    summary: { ok: number; failed: number; skipped: number };
    created: { key: string; code: string | null }[];
    results: { actionId: string; status: string }[];
    error?: { code: string; exitCode: number; message: string };
  }

  it('lists the results and each new experiment with its code', async () => {
    const r = await cli(['apply', 'json.yaml', '--auto-approve', '--format', 'json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as ApplyDoc;
    expect(doc.success).toBe(true);
    expect(doc.summary).toEqual({ ok: 4, failed: 0, skipped: 0 });
    const codes = await codesOf('ci-json');
    expect(doc.created).toEqual([
      { key: 'e000', code: codes.get('e000') },
      { key: 'e001', code: codes.get('e001') },
    ]);
    expect(doc).not.toHaveProperty('error');
  });

  it('a failed action: the same document, with the error beside it', async () => {
    sandbox.setFaults({ rules: [{ method: 'PUT', route: '/api/experiments/{id}/data', error500: 1 }] });
    try {
      const r = await cli([
        'apply',
        'json-failing.yaml',
        '--auto-approve',
        '--format',
        'json',
        '--retries',
        '0',
      ]);
      expect(r.code).toBe(1);
      const doc = JSON.parse(r.stdout) as ApplyDoc;
      expect(doc.success).toBe(false);
      expect(doc.error).toMatchObject({ code: 'apply.failed', exitCode: 1 });
      expect(doc.error?.message).toMatch(/^apply did not finish: /);
      expect(doc.results.filter((x) => x.status === 'failed').length).toBeGreaterThan(0);
      expect(doc.created.map((c) => c.key)).toEqual(['e000', 'e001']);
    } finally {
      sandbox.setFaults({ rules: [] });
    }
  });
});

describe('--format json errors', () => {
  interface ErrorDoc {
    error: {
      code: string;
      message: string;
      exitCode: number;
      diagnostics: { file: string; line: number; column: number; code: string }[];
      mint?: { status: number };
    };
  }
  const parse = (stdout: string) => JSON.parse(stdout) as ErrorDoc & Record<string, unknown>;

  it('an invalid manifest: the diagnostics, located', async () => {
    const r = await cli(['plan', 'bad.yaml', '--format', 'json']);
    expect(r.code).toBe(1);
    const doc = parse(r.stdout);
    expect(doc.error.code).toBe('manifest.invalid');
    expect(doc.error.exitCode).toBe(1);
    expect(doc.error.message).toMatch(/the manifest is invalid/);
    expect(doc.error.diagnostics).toContainEqual(
      expect.objectContaining({ file: 'bad.yaml', line: 5, column: 5 }),
    );

    const v = await cli(['validate', 'bad.yaml', '--format', 'json']);
    expect(v.code).toBe(1);
    const vdoc = parse(v.stdout);
    expect(vdoc.valid).toBe(false);
    expect(vdoc.error.code).toBe('manifest.invalid');
    expect(vdoc.error.diagnostics).toEqual(vdoc.errors);
  });

  it('a MINT error: its code and the request', async () => {
    const r = await cli(['plan', 'grouped.yaml', '--format', 'json'], {
      MINT_TOKEN: 'mint_pat_wrong-token-0123456789abcdef',
    });
    expect(r.code).toBe(1);
    const doc = parse(r.stdout);
    expect(doc.error.code).toBe('mint.authentication');
    expect(doc.error.mint?.status).toBe(401);
    expect(r.stdout).not.toContain('wrong-token');
  });

  it('usage errors, ours and the parser’s', async () => {
    const ours = await cli(['plan', 'grouped.yaml', '--format', 'json', '--concurrency', '0']);
    expect(ours.code).toBe(1);
    expect(parse(ours.stdout).error).toMatchObject({
      code: 'usage',
      message: expect.stringMatching(/--concurrency/),
    });

    const parser = await cli(['plan', '--format=json', '--bogus']);
    expect(parser.code).toBe(1);
    expect(parse(parser.stdout).error).toMatchObject({
      code: 'usage',
      message: expect.stringMatching(/--bogus/),
    });
  });

  it('exit 2 of --detailed-exitcode is an outcome: the plan alone, no error object', async () => {
    const r = await cli(['plan', 'pending.yaml', '--format', 'json', '--detailed-exitcode']);
    expect(r.code).toBe(2);
    const doc = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(doc.hasChanges).toBe(true);
    expect(doc).not.toHaveProperty('error');
  });

  it('nothing extra on success, and text mode keeps stdout clean', async () => {
    const ok = await cli(['validate', 'grouped.yaml', '--format', 'json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).not.toHaveProperty('error');
    const text = await cli(['plan', 'bad.yaml']);
    expect(text.code).toBe(1);
    expect(text.stdout).toBe('');
  });
});

describe('credentials file readable by others', () => {
  it('is one ordinary warning line, hidden by -q', async () => {
    const home = tempDir('ci-creds');
    const file = path.join(home, '.config', 'mint', 'credentials.json');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify({ url: sandbox.url, token: sandbox.adminToken }));
    fs.chmodSync(file, 0o644);
    writeFiles(home, { 'mint.yaml': manifest('ci-creds', 1) });
    const run = (args: string[]) => runCli(args, { env: baseEnv(home), cwd: home });

    const r = await run(['plan']);
    expect(r.code).toBe(0);
    expect(lines(r.stderr)).toEqual([
      `warning: credentials file ${file} is readable by other users (mode 644): run chmod 600 ${file}`,
    ]);
    expect(r.stderr).not.toMatch(/\(node:\d+\)|MintCredentialsWarning/);

    const q = await run(['plan', '-q']);
    expect(q.code).toBe(0);
    expect(q.stderr).toBe('');

    // a login rewrites the file 0600: nothing to warn about, and never a raw process warning
    fs.chmodSync(file, 0o644);
    const login = await runCli(
      ['auth', 'login', '--url', sandbox.url, '--username', 'admin', '--password-stdin'],
      { env: baseEnv(home), cwd: home, input: 'admin' },
    );
    expect(login.code).toBe(0);
    expect(login.stderr).toBe('');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });
});
