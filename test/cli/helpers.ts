// Spawns the BUILT CLI (lib/cli/index.js, built by `npm test`'s pretest) as a child process.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const CLI = path.resolve(__dirname, '../../lib/cli/index.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Written to stdin, then stdin is closed (stdin is never a terminal here). */
  input?: string;
  /** The child is killed after this long (default 25 s, under the 30 s test timeout). */
  timeoutMs?: number;
}

/** Every output of every run, so a suite can check that a secret never appeared anywhere. */
export const transcript: string[] = [];

/** A clean environment: no MINT_* or credentials from the machine running the tests. */
export function baseEnv(home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('MINT_') && k !== 'XDG_CONFIG_HOME' && k !== 'NO_COLOR' && k !== 'FORCE_COLOR')
      env[k] = v;
  }
  return { ...env, HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), ...extra };
}

export function runCli(args: string[], opts: RunOptions = {}): Promise<CliRun> {
  if (!fs.existsSync(CLI))
    throw new Error(`${CLI} is missing: run \`npx tsc -p tsconfig.build.json\` (npm test does)`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    // A hung CLI must not outlive the test that started it.
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 25_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      transcript.push(stdout, stderr);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `mm-cli-${prefix}-`));
}

export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    const abs = path.join(dir, rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, text);
  }
}

/** Lines of `text` that look like `file:line:col: …` diagnostics for `file`. */
export function locatedLines(text: string, file: string): string[] {
  const re = new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: `);
  return text.split('\n').filter((l) => re.test(l));
}
