// Runs the built dist/index.js the way the Actions runner does, and a small stand-in for the
// GitHub REST API that records the issue-comment calls the Action makes.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { type Experiment, MintClient } from '../../src/client/index.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';

export const DIST = path.resolve(__dirname, '../../dist/index.js');

export interface RecordedCall {
  method: string;
  path: string;
  authorization?: string;
  body?: { body?: string };
}

interface StoredComment {
  id: number;
  body: string;
  user: { login: string; type: string };
}

/** Issue comments of one repository, served like api.github.com serves them. */
export class FakeGitHub {
  readonly calls: RecordedCall[] = [];
  readonly comments = new Map<number, StoredComment[]>();
  /** Answer comment writes with this status instead (403 = fork PR token). */
  writeStatus?: number;
  /** Who GET /user says the token is; unset = the workflow token, which gets 403 there. */
  tokenLogin?: string;
  /** A GitHub App's installation token: GET /user answers 403, comments are written as this login. */
  appLogin?: string;
  /** GET /repos/{owner}/{repo}/commits/{sha}/pulls answers. */
  readonly commitPulls = new Map<string, { number: number; state: string; merged_at: string | null }[]>();
  private nextId = 5000;
  private server?: http.Server;
  url = '';

  seed(issue: number, bodies: string[], login = 'someone'): number[] {
    const list = this.comments.get(issue) ?? [];
    const ids: number[] = [];
    for (const body of bodies) {
      ids.push(this.nextId);
      list.push({ id: this.nextId++, body, user: { login, type: login.endsWith('[bot]') ? 'Bot' : 'User' } });
    }
    this.comments.set(issue, list);
    return ids;
  }

  /** The login comments written with the token get. */
  private writer(): string {
    return this.tokenLogin ?? this.appLogin ?? 'github-actions[bot]';
  }

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
      req.on('end', () => this.handle(req, res, raw));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse, raw: string): void {
    const url = new URL(req.url ?? '/', this.url);
    const body = raw ? (JSON.parse(raw) as { body?: string }) : undefined;
    this.calls.push({
      method: req.method ?? '',
      path: url.pathname + url.search,
      authorization: req.headers.authorization,
      body,
    });
    const send = (status: number, data: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(data));
    };
    if (url.pathname === '/user' && req.method === 'GET') {
      if (!this.tokenLogin) return send(403, { message: 'Resource not accessible by integration' });
      return send(200, { login: this.tokenLogin, type: 'User' });
    }
    const pulls = url.pathname.match(/^\/repos\/[^/]+\/[^/]+\/commits\/([^/]+)\/pulls$/);
    if (pulls && req.method === 'GET') return send(200, this.commitPulls.get(pulls[1]) ?? []);
    const list = url.pathname.match(/^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/comments$/);
    const one = url.pathname.match(/^\/repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)$/);
    if (list && req.method === 'GET') {
      const perPage = Number(url.searchParams.get('per_page') ?? 30);
      const page = Number(url.searchParams.get('page') ?? 1);
      const all = this.comments.get(Number(list[1])) ?? [];
      return send(200, all.slice((page - 1) * perPage, page * perPage));
    }
    if ((list && req.method === 'POST') || (one && req.method === 'PATCH')) {
      if (this.writeStatus)
        return send(this.writeStatus, { message: 'Resource not accessible by integration' });
      if (list) {
        const comment = {
          id: this.nextId++,
          body: body?.body ?? '',
          user: { login: this.writer(), type: 'Bot' },
        };
        const all = this.comments.get(Number(list[1])) ?? [];
        all.push(comment);
        this.comments.set(Number(list[1]), all);
        return send(201, comment);
      }
      for (const all of this.comments.values()) {
        const comment = all.find((c) => c.id === Number(one?.[1]));
        if (comment) {
          comment.body = body?.body ?? '';
          return send(200, comment);
        }
      }
      return send(404, { message: 'Not Found' });
    }
    send(404, { message: 'Not Found' });
  }

  writes(): RecordedCall[] {
    return this.calls.filter((c) => c.method !== 'GET');
  }
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
}

/** Parses the GITHUB_OUTPUT file format (`name<<DELIM\nvalue\nDELIM`). */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = lines[i].match(/^([^<=]+)<<(.+)$/);
    if (!m) continue;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== m[2]; i++) value.push(lines[i]);
    outputs[m[1]] = value.join('\n');
  }
  return outputs;
}

export interface Workspace {
  dir: string;
  temp: string;
  eventPath: string;
}

export function makeWorkspace(files: Record<string, string>, prNumber = 7): Workspace {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-action-'));
  const dir = path.join(root, 'repo');
  const temp = path.join(root, 'runner-temp');
  fs.mkdirSync(dir);
  fs.mkdirSync(temp);
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  const eventPath = path.join(root, 'event.json');
  fs.writeFileSync(
    eventPath,
    JSON.stringify({
      action: 'synchronize',
      number: prNumber,
      pull_request: { number: prNumber, head: { sha: 'abc1234def' } },
    }),
  );
  return { dir, temp, eventPath };
}

/** Runs `node dist/index.js` with the env the runner would give the step. */
export async function runAction(
  ws: Workspace,
  inputs: Record<string, string>,
  env: Record<string, string> = {},
  dist = DIST,
): Promise<RunResult> {
  const outputFile = path.join(ws.temp, `output-${Date.now()}-${Math.random()}`);
  const summaryFile = path.join(ws.temp, `summary-${Date.now()}-${Math.random()}`);
  fs.writeFileSync(outputFile, '');
  fs.writeFileSync(summaryFile, '');
  const base: NodeJS.ProcessEnv = {};
  // Only what a runner gives: no INPUT_*, proxy or MINT_* leaking in from the test process.
  for (const key of ['PATH', 'HOME', 'SYSTEMROOT', 'TMPDIR'])
    if (process.env[key]) base[key] = process.env[key];
  const childEnv: NodeJS.ProcessEnv = {
    ...base,
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_WORKSPACE: ws.dir,
    RUNNER_TEMP: ws.temp,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_EVENT_PATH: ws.eventPath,
    GITHUB_REPOSITORY: 'lab/experiments',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_RUN_ID: '4242',
    GITHUB_SHA: 'ffff000',
    ...env,
  };
  for (const [name, value] of Object.entries(inputs))
    childEnv[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  const child = spawn(process.execPath, [dist], {
    cwd: ws.dir,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  // A hung Action must not outlive the test that started it (the test timeout is 30 s).
  const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve)).finally(() =>
    clearTimeout(timer),
  );
  return {
    code,
    stdout,
    stderr,
    outputs: parseOutputFile(fs.readFileSync(outputFile, 'utf8')),
    summary: fs.readFileSync(summaryFile, 'utf8'),
  };
}

export const GITHUB_TOKEN = 'ghs_fakeGithubToken0123456789abcdef';
export const PR = 7;

export function manifest(stack: string, experiments: string[]): string {
  return ['version: 1', `stack: ${stack}`, 'experiments:', ...experiments].join('\n') + '\n';
}

export function experiment(key: string, extra: string[] = []): string {
  return [
    `  - key: ${key}`,
    `    name: Experiment ${key}`,
    '    experiment_type: lcms_batch',
    '    status: planned',
    ...extra.map((l) => `    ${l}`),
  ].join('\n');
}

/** Everything the Action printed or wrote, minus the `::add-mask::` lines that hand secrets to the runner. */
export function visibleText(run: RunResult): string {
  const stdout = run.stdout
    .split('\n')
    .filter((l) => !l.startsWith('::add-mask::'))
    .join('\n');
  return [stdout, run.stderr, run.summary].join('\n');
}

export interface ActionFixture {
  sandbox: Sandbox;
  gh: FakeGitHub;
  /** A PAT of the sandbox admin, passed as mint-token. */
  mintToken: string;
  mintInputs(extra?: Record<string, string>): Record<string, string>;
  githubEnv(): Record<string, string>;
  commentBodies(issue?: number): string[];
  /** Live experiments carrying this stack's ownership tag. */
  readOwned(stack: string): Promise<Experiment[]>;
}

/** A sandbox and a fake GitHub for one test file; the fields are set in beforeAll (started there, closed in afterAll). */
export function useActionFixture(): ActionFixture {
  const fx = {
    mintInputs(extra: Record<string, string> = {}) {
      return {
        'mint-url': fx.sandbox.url,
        'mint-token': fx.mintToken,
        'github-token': GITHUB_TOKEN,
        manifest: 'mint.yaml',
        ...extra,
      };
    },
    githubEnv: () => ({ GITHUB_API_URL: fx.gh.url }),
    commentBodies: (issue = PR) => (fx.gh.comments.get(issue) ?? []).map((c) => c.body),
    async readOwned(stack: string) {
      const client = new MintClient({ baseUrl: fx.sandbox.url, token: fx.sandbox.adminToken });
      try {
        return (await client.experiments.list()).filter((e) => e.tags['mint-manifest.stack'] === stack);
      } finally {
        client.close();
      }
    },
  } as unknown as ActionFixture;
  beforeAll(async () => {
    if (!fs.existsSync(DIST)) throw new Error(`${DIST} is missing: run "npm run package" before these tests`);
    fx.sandbox = await startSandbox({ port: 0, quiet: true });
    fx.mintToken = fx.sandbox.createToken({ username: 'admin', kind: 'pat' });
    fx.gh = new FakeGitHub();
    await fx.gh.start();
  });
  afterAll(async () => {
    await fx.gh?.close();
    await fx.sandbox?.close();
  });
  return fx;
}
