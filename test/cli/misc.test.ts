// schema, --help, --version, sandbox and demo through the built CLI.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifestSchema } from '../../src/manifest/index.js';
import { CLI, baseEnv, runCli, tempDir } from './helpers.js';

const home = tempDir('misc');
const env = baseEnv(home);
const cli = (args: string[]) => runCli(args, { env, cwd: home });

describe('schema, help and version', () => {
  it('schema prints the manifest JSON Schema as valid JSON', async () => {
    const r = await cli(['schema']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(manifestSchema);
  });

  it('--version prints the package version', async () => {
    const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8')) as {
      version: string;
    };
    const r = await cli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('every command has --help with a description, Examples and its exit codes', async () => {
    const commands = [
      [],
      ['validate'],
      ['plan'],
      ['apply'],
      ['upload'],
      ['export'],
      ['sandbox'],
      ['schema'],
      ['auth'],
      ['auth', 'login'],
      ['auth', 'status'],
      ['auth', 'logout'],
      ['demo'],
    ];
    const runs = await Promise.all(commands.map((c) => cli([...c, '--help'])));
    runs.forEach((r, i) => {
      const name = commands[i].join(' ') || '(program)';
      expect(r.code, name).toBe(0);
      expect(r.stdout, name).toMatch(/^Usage: mint-manifest/);
      expect(r.stdout, name).toContain('Examples:');
      expect(r.stdout, name).toMatch(/\$ mint-manifest|\$ npm run demo|\$ MINT_URL=/);
      expect(r.stdout, name).toMatch(/^Exit codes:\n {2}0 +\S.*\n {2}1 +\S/m);
    });
    // plan is the command whose exit 2 scripts rely on
    const plan = runs[commands.findIndex((c) => c.join(' ') === 'plan')];
    expect(plan.stdout).toMatch(/^ {2}2 +changes pending \(only with --detailed-exitcode\)$/m);
    // commands with --format json say where a failure goes
    for (const name of ['validate', 'plan', 'apply', 'upload']) {
      const r = runs[commands.findIndex((c) => c.join(' ') === name)];
      expect(r.stdout, name).toContain('docs/cli-json.md');
    }
  });

  it('an unknown option or missing connection is one clear line, exit 1', async () => {
    const bad = await cli(['plan', '--bogus']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/unknown option '--bogus'/);

    const dir = tempDir('noconn');
    fs.writeFileSync(path.join(dir, 'mint.yaml'), 'version: 1\nstack: s\n');
    const none = await runCli(['plan'], { env: baseEnv(dir), cwd: dir });
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^error: no MINT server configured: .*--url.*MINT_URL.*credentials/);
    expect(none.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('sandbox', () => {
  it('serves the MINT API until SIGTERM and prints a URL and a token that work', async () => {
    const child = spawn(process.execPath, [CLI, 'sandbox', '--port', '0'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let stdout = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.setEncoding('utf8').on('data', (d: string) => {
          stdout += d;
          const m = /listening on (http:\/\/\S+)/.exec(stdout);
          if (m) resolve(m[1]);
        });
        child.on('exit', (code) => reject(new Error(`sandbox exited early (${code}): ${stdout}`)));
      });
      const health = (await (await fetch(`${url}/api/health`)).json()) as { status: string };
      expect(health.status).toBe('ok');
      expect(stdout).toContain(`export MINT_URL=${url}`);
      const token = /export MINT_TOKEN=(mint_pat_\S+)/.exec(stdout)?.[1];
      expect(token).toBeDefined();
      const me = await fetch(`${url}/api/users/me`, { headers: { authorization: `Bearer ${token}` } });
      expect(me.status).toBe(200);
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      // a failed assertion above must not leave the server running
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});

describe('demo', () => {
  it('runs validate → plan → apply → plan on examples/ and ends with no changes', async () => {
    const r = await cli(['demo']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('==> 1/4 validate');
    expect(r.stdout).toMatch(/==> 3\/4 apply[\s\S]*0 failed/);
    expect(r.stdout).toMatch(/==> 4\/4 plan again[\s\S]*No changes/);
    expect(r.stdout).not.toMatch(/mint_pat_/);
  });
});
