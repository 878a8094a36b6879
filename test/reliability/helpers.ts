// Shared by the reliability suites: scale, seeded randomness, the built CLI, manifests, ownership counts.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeBenchManifest, type BenchSpec } from '../../bench/generate.js';
import { MintClient, type MintClientOptions } from '../../src/client/index.js';
import { loadManifests } from '../../src/manifest/index.js';
import { mulberry32 } from '../../src/sandbox/faults.js';
import { KEY_TAG, STACK_TAG, type ResolvedManifest } from '../../src/manifest/model.js';

export const ROOT = path.resolve(__dirname, '..', '..');
export const CLI = path.join(ROOT, 'lib', 'cli', 'index.js');
/** The Action bundle; MM_ACTION_ENTRY points at another build (e.g. a fresh `ncc build` into a temp dir). */
export const ACTION = process.env.MM_ACTION_ENTRY ?? path.join(ROOT, 'dist', 'index.js');

/** `RELIABILITY_SCALE=ci` is the reduced size `.ci/run` uses; anything else is the full size. */
export const CI_SCALE = process.env.RELIABILITY_SCALE === 'ci';

export function scaled<T>(full: T, ci: T): T {
  return CI_SCALE ? ci : full;
}

/** The sandbox's own seeded PRNG, so a failing trial can be replayed from its seed. */
export const seededRandom = mulberry32;

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `mm-rel-${prefix}-`));
}

export interface WrittenManifest {
  dir: string;
  file: string;
  spec: BenchSpec;
}

export function writeManifest(dir: string, n: number, stack = 'rel'): WrittenManifest {
  const { file, spec } = writeBenchManifest(dir, n, { stack });
  return { dir, file, spec };
}

export async function loadOrThrow(file: string): Promise<ResolvedManifest> {
  const dir = path.dirname(file);
  const res = await loadManifests([file], { cwd: dir, workspaceRoot: dir, env: {} });
  if (!res.ok) throw new Error(`test manifest invalid: ${res.errors.map((e) => e.message).join('; ')}`);
  return res.manifest;
}

export function newClient(url: string, token: string, extra: MintClientOptions = {}) {
  return new MintClient({ baseUrl: url, token, env: {}, allowInsecureHttp: true, ...extra });
}

/** How many live experiments carry each manifest key of `stack` (a key counted twice is a duplicate). */
export async function countOwned(client: MintClient, stack: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const e of await client.experiments.list({ limit: 500 })) {
    const tags = e.tags ?? {};
    if (tags[STACK_TAG] !== stack) continue;
    const key = String(tags[KEY_TAG]);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

export function duplicatesOf(counts: Map<string, number>): string[] {
  return [...counts].filter(([, n]) => n > 1).map(([k, n]) => `${k}×${n}`);
}

/** An environment for the built CLI that cannot pick up the developer's own credentials or config. */
export function isolatedEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    NO_COLOR: '1',
    CI: 'true',
    ...extra,
  };
}

export interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function runNode(
  script: string,
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; onSpawn?: (child: ChildProcess) => void; timeoutMs?: number },
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      cwd: opts.cwd,
      env: opts.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    opts.onSpawn?.(child);
  });
}

export function runCli(
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; onSpawn?: (c: ChildProcess) => void },
) {
  return runNode(CLI, args, opts);
}

/** Runs `fn` over `items` with at most `limit` in flight; results in input order. */
export async function mapPool<T, R>(
  items: T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
