// The terminal paths (apply's "yes" prompt, the hidden password prompt), run under a real
// pseudo-terminal through util-linux `script`; skipped where `script` is not installed.
import { spawn, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MintClient } from '../../src/client/index.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { CLI, baseEnv, tempDir, writeFiles } from './helpers.js';

const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
const PASSWORD = 'tty-secret-pass-42';

let sandbox: Sandbox;
let client: MintClient;
let dir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, quiet: true, users: [{ username: 'bob', password: PASSWORD }] });
  client = new MintClient({ baseUrl: sandbox.url, token: sandbox.adminToken, env: {} });
  dir = tempDir('tty');
  writeFiles(dir, {
    'mint.yaml':
      'version: 1\nstack: tty\nexperiments:\n  - key: t1\n    name: T one\n    experiment_type: x\n',
    'bar.yaml': [
      'version: 1',
      'stack: tty-bar',
      'experiments:',
      ...[1, 2, 3].flatMap((i) => [
        `  - key: b${i}`,
        `    name: Bar ${i}`,
        '    experiment_type: x',
        '    design: { plugin_id: seq, data: { i: 1 } }',
      ]),
    ].join('\n'),
  });
  env = baseEnv(dir, { MINT_URL: sandbox.url, MINT_TOKEN: sandbox.adminToken });
});

afterAll(async () => {
  client?.close();
  await sandbox?.close();
});

/** Runs the CLI on a pseudo-terminal; `answer` is typed once `prompt` shows up. */
function onTerminal(args: string[], prompt: RegExp, answer: string, extraEnv: NodeJS.ProcessEnv = {}) {
  const command = [process.execPath, CLI, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  const child = spawn('script', ['-qec', command, '/dev/null'], {
    cwd: dir,
    env: { ...env, ...extraEnv },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  let typed = false;
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    output += d;
    if (!typed && prompt.test(output)) {
      typed = true;
      child.stdin.write(`${answer}\r`);
    }
  });
  // A prompt that never shows up would leave `script` and the CLI waiting on the terminal forever:
  // kill them (closing the pty hangs up the CLI too) rather than outlive the test.
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe.skipIf(!hasScript)('on a terminal', () => {
  it('apply shows the plan and only "yes" applies it', async () => {
    sandbox.resetStats();
    const no = await onTerminal(['apply', '--no-color'], /Only 'yes' will be accepted/, 'no');
    expect(no.code).toBe(1);
    expect(no.output).toContain('+ experiment t1');
    expect(no.output).toMatch(/apply cancelled: nothing was changed/);
    expect(sandbox.stats().writes).toBe(0);

    const yes = await onTerminal(['apply', '--no-color'], /Only 'yes' will be accepted/, 'yes');
    expect(yes.code).toBe(0);
    expect(yes.output).toMatch(/✓ experiment\.create:t1/);
    expect((await client.experiments.list()).some((e) => e.tags['mint-manifest.key'] === 't1')).toBe(true);
  });

  it('apply --auto-approve shows a progress bar with the total number of actions', async () => {
    // slow writes, so the bar is drawn between the first and the last action
    sandbox.setFaults({ rules: [{ method: 'POST', route: '/api/experiments', latencyMs: 150 }] });
    try {
      const r = await onTerminal(['apply', 'bar.yaml', '--auto-approve', '--no-color'], /$^/, '');
      expect(r.code).toBe(0);
      // 3 experiments + 3 designs: the bar counts towards 6 while it runs
      expect(r.output).toMatch(/Applying [█░]+ [0-5]\/6/);
      expect(r.output).toMatch(/Apply for stack tty-bar: 6 ok, 0 failed, 0 skipped\./);
    } finally {
      sandbox.setFaults({ rules: [] });
    }
  });

  it('auth login asks for the password without echoing it', async () => {
    const r = await onTerminal(['auth', 'login', '--username', 'bob'], /Password for bob: /, PASSWORD, {
      MINT_TOKEN: undefined,
    });
    expect(r.code).toBe(0);
    expect(r.output).toContain(`logged in to ${sandbox.url} as bob`);
    expect(r.output).not.toContain(PASSWORD);
  });
});
