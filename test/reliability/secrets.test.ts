// A recognisable token and password go through every CLI command and the Action (success and failure
// paths, --debug included); none of them may appear in stdout, stderr, plan/result files, summaries,
// outputs or PR comments. The runner's own `::add-mask::` command is the one place a secret must appear.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import {
  ACTION,
  isolatedEnv,
  runCli,
  runNode,
  tempDir,
  writeManifest,
  type ProcessResult,
} from './helpers.js';

const MARKER = 'SECRETSCAN';
const MINT_TOKEN = `mint_pat_${MARKER}xyz123admin0000000000`;
const WRONG_TOKEN = `mint_pat_${MARKER}wrong999999999999`;
const PASSWORD = `${MARKER}-pw-9f8e7d6c`;
const GITHUB_TOKEN = `ghs_${MARKER}github0000000000000000`;
const USER = 'scanner';
const STACK = 'secrets';

interface Leak {
  where: string;
  secret: string;
}

let sandbox: Sandbox;
let work: string;
let github: { url: string; comments: string[]; requests: string[]; close: () => Promise<void> };
const leaks: Leak[] = [];
/** Secrets learnt during the run (the session token a login stores) are scanned for too. */
const secrets = new Set([MINT_TOKEN, WRONG_TOKEN, PASSWORD, GITHUB_TOKEN]);

function scan(where: string, text: string): void {
  for (const line of text.split('\n')) {
    if (line.startsWith('::add-mask::')) continue;
    if (line.includes(MARKER)) leaks.push({ where, secret: line.trim().slice(0, 200) });
    for (const s of secrets) if (line.includes(s)) leaks.push({ where, secret: `${s.slice(0, 12)}…` });
  }
}

function scanResult(label: string, r: ProcessResult): void {
  scan(`${label} stdout`, r.stdout);
  scan(`${label} stderr`, r.stderr);
}

function scanFiles(label: string, dir: string): number {
  let n = 0;
  if (!fs.existsSync(dir)) return 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const file = path.join(e.parentPath, e.name);
    scan(`${label} ${path.relative(dir, file)}`, fs.readFileSync(file, 'utf8'));
    n++;
  }
  return n;
}

/** Records what the Action sends GitHub: enough of the issue-comments API for the sticky comment. */
async function startGithubApi(): Promise<typeof github> {
  const comments: string[] = [];
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      requests.push(`${req.method} ${req.url}`);
      res.setHeader('content-type', 'application/json');
      if (req.method === 'GET' && /\/issues\/\d+\/comments/.test(req.url ?? '')) return res.end('[]');
      if ((req.method === 'POST' || req.method === 'PATCH') && /\/comments/.test(req.url ?? '')) {
        const parsed = JSON.parse(body || '{}') as { body?: string };
        comments.push(parsed.body ?? '');
        res.statusCode = req.method === 'POST' ? 201 : 200;
        return res.end(JSON.stringify({ id: comments.length, body: parsed.body }));
      }
      res.statusCode = 404;
      res.end('{"message":"Not Found"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    comments,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function cli(args: string[], extraEnv: Record<string, string> = {}) {
  return runCli(args, { cwd: work, env: isolatedEnv(work, { MINT_URL: sandbox.url, ...extraEnv }) });
}

interface ActionRun extends ProcessResult {
  outputs: string;
  summary: string;
}

async function action(label: string, inputs: Record<string, string>, extraEnv: Record<string, string> = {}) {
  const dir = path.join(work, 'runner', label);
  fs.mkdirSync(dir, { recursive: true });
  const event = path.join(dir, 'event.json');
  fs.writeFileSync(
    event,
    JSON.stringify({
      number: 7,
      pull_request: { number: 7, head: { sha: 'abc123' } },
      repository: { name: 'r' },
    }),
  );
  const outputFile = path.join(dir, 'output');
  const summaryFile = path.join(dir, 'summary');
  fs.writeFileSync(outputFile, '');
  fs.writeFileSync(summaryFile, '');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: work,
    XDG_CONFIG_HOME: path.join(work, '.config'),
    RUNNER_TEMP: path.join(dir, 'temp'),
    RUNNER_DEBUG: '1',
    GITHUB_WORKSPACE: work,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_EVENT_PATH: event,
    GITHUB_REPOSITORY: 'lab/experiments',
    GITHUB_API_URL: github.url,
    GITHUB_SERVER_URL: 'https://github.example',
    GITHUB_RUN_ID: '42',
    GITHUB_SHA: 'abc123',
    'INPUT_MINT-URL': sandbox.url,
    'INPUT_GITHUB-TOKEN': GITHUB_TOKEN,
    INPUT_MANIFEST: 'mint.yaml',
    ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])),
    ...extraEnv,
  };
  fs.mkdirSync(env.RUNNER_TEMP!, { recursive: true });
  const r = await runNode(ACTION, [], { cwd: work, env });
  const run: ActionRun = {
    ...r,
    outputs: fs.readFileSync(outputFile, 'utf8'),
    summary: fs.readFileSync(summaryFile, 'utf8'),
  };
  scanResult(`action ${label}`, run);
  scan(`action ${label} GITHUB_OUTPUT`, run.outputs);
  scan(`action ${label} step summary`, run.summary);
  scanFiles(`action ${label} RUNNER_TEMP`, env.RUNNER_TEMP!);
  return run;
}

beforeAll(async () => {
  sandbox = await startSandbox({
    port: 0,
    quiet: true,
    authRateLimit: false,
    adminToken: MINT_TOKEN,
    users: [{ username: USER, password: PASSWORD, role: 'admin' }],
  });
  github = await startGithubApi();
  work = tempDir('secrets');
  writeManifest(work, 3, STACK);
  fs.writeFileSync(path.join(work, 'result.json'), JSON.stringify({ passed: true, score: 0.5 }));
});

afterAll(async () => {
  await sandbox?.close();
  await github?.close();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe('secrets never leak', () => {
  it('CLI: every command, success and failure, with and without --debug', async () => {
    const withToken = { MINT_TOKEN };
    const runs: [string, ProcessResult, number][] = [];
    const run = async (label: string, args: string[], env: Record<string, string>, expected: number) => {
      const r = await cli(args, env);
      scanResult(`cli ${label}`, r);
      runs.push([label, r, expected]);
      return r;
    };

    await run('validate', ['validate', 'mint.yaml', '--verbose'], withToken, 0);
    await run('validate json', ['validate', 'mint.yaml', '--format', 'json'], withToken, 0);
    await run(
      'plan --out',
      ['plan', 'mint.yaml', '--out', 'plan.json', '--verbose', '--debug'],
      withToken,
      0,
    );
    scan('plan.json', fs.readFileSync(path.join(work, 'plan.json'), 'utf8'));
    await run('plan markdown', ['plan', 'mint.yaml', '--format', 'markdown'], withToken, 0);
    await run('plan json', ['plan', 'mint.yaml', '--format', 'json'], withToken, 0);
    await run('apply --plan', ['apply', '--plan', 'plan.json', '--verbose'], withToken, 0);
    await run('apply (token flag)', ['apply', 'mint.yaml', '--auto-approve', '--token', MINT_TOKEN], {}, 0);
    const uploadArgs = ['upload', '--experiment', 'exp-00001', '--stack', STACK, '--plugin', 'peak-qc'];
    await run('upload', [...uploadArgs, '--result', 'result.json', '--verbose'], withToken, 0);
    await run('upload json', [...uploadArgs, '--result', 'result.json', '--format', 'json'], withToken, 0);
    await run('export', ['export', '--stack', STACK, '--out', 'exported/mint.yaml', '--force'], withToken, 0);
    expect(scanFiles('export', path.join(work, 'exported'))).toBeGreaterThan(0);
    await run('auth status (env)', ['auth', 'status', '--verbose'], withToken, 0);
    await run('auth status (flag)', ['auth', 'status', '--token', MINT_TOKEN], {}, 0);

    await run('auth login', ['auth', 'login', '--username', USER], { MINT_PASSWORD: PASSWORD }, 0);
    const stored = fs.readFileSync(path.join(work, '.config', 'mint', 'credentials.json'), 'utf8');
    const session = [...stored.matchAll(/"token"\s*:\s*"([^"]+)"/g)].map((m) => m[1]);
    expect(session.length, 'auth login stored a token').toBeGreaterThan(0);
    for (const s of session) secrets.add(s);
    await run('auth status (stored session)', ['auth', 'status', '--verbose', '--debug'], {}, 0);
    await run('plan (stored session)', ['plan', 'mint.yaml', '--debug'], {}, 0);
    await run('auth logout', ['auth', 'logout'], {}, 0);

    // Failure paths: the error text is where a careless client puts the request, headers included.
    await run(
      'login wrong password',
      ['auth', 'login', '--username', USER],
      { MINT_PASSWORD: `${PASSWORD}x` },
      1,
    );
    await run('wrong token', ['plan', 'mint.yaml', '--debug', '--verbose'], { MINT_TOKEN: WRONG_TOKEN }, 1);
    await run(
      'unreachable',
      ['plan', 'mint.yaml', '--debug', '--retries', '0'],
      { MINT_TOKEN, MINT_URL: 'http://127.0.0.1:1' },
      1,
    );
    sandbox.setFaults({ rules: [{ route: '*', error500: 1 }] });
    try {
      await run(
        'server error',
        ['apply', 'mint.yaml', '--auto-approve', '--debug', '--retries', '0'],
        withToken,
        1,
      );
    } finally {
      sandbox.setFaults({ rules: [] });
    }
    await run('bad url flag', ['plan', 'mint.yaml', '--url', 'not a url', '--debug'], withToken, 1);

    for (const [label, r, expected] of runs) expect(r.code, `cli ${label}: ${r.stderr}`).toBe(expected);
    expect(leaks).toEqual([]);
  });

  it('Action: plan with a PR comment, apply, upload and failures', async () => {
    expect(fs.existsSync(ACTION), `${ACTION} is missing: run npm run package`).toBe(true);
    const plan = await action('plan', { COMMAND: 'plan', 'MINT-TOKEN': MINT_TOKEN });
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    expect(github.comments.length, `no PR comment posted: ${github.requests.join(', ')}`).toBeGreaterThan(0);
    expect(plan.summary).not.toBe('');
    for (const c of github.comments) scan('PR comment', c);

    const applied = await action('apply', { COMMAND: 'apply', 'MINT-TOKEN': MINT_TOKEN });
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    const uploaded = await action('upload', {
      COMMAND: 'upload',
      'MINT-TOKEN': MINT_TOKEN,
      EXPERIMENT: 'exp-00002',
      'PLUGIN-ID': 'peak-qc',
      'RESULT-FILE': 'result.json',
    });
    expect(uploaded.code, uploaded.stdout + uploaded.stderr).toBe(0);
    const login = await action('login', {
      COMMAND: 'plan',
      'MINT-USERNAME': USER,
      'MINT-PASSWORD': PASSWORD,
    });
    expect(login.code, login.stdout + login.stderr).toBe(0);

    const wrong = await action('wrong token', { COMMAND: 'plan', 'MINT-TOKEN': WRONG_TOKEN });
    expect(wrong.code).toBe(1);
    const envToken = await action(
      'env token, unreachable',
      { COMMAND: 'apply', RETRIES: '0' },
      {
        MINT_TOKEN,
        'INPUT_MINT-URL': 'http://127.0.0.1:1',
      },
    );
    expect(envToken.code).toBe(1);
    const badPassword = await action('wrong password', {
      COMMAND: 'plan',
      'MINT-USERNAME': USER,
      'MINT-PASSWORD': `${PASSWORD}x`,
    });
    expect(badPassword.code).toBe(1);
    for (const c of github.comments) scan('PR comment', c);
    expect(leaks).toEqual([]);
  });
});
