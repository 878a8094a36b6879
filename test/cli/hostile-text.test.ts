// A hostile or broken server's error text reaches the terminal as one inert line: no escape
// sequences that could retitle the terminal, write the clipboard, or erase the line before it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startHttp, type Running } from '../client/servers.js';
import { baseEnv, runCli, tempDir } from './helpers.js';

const running: Running[] = [];
afterAll(async () => {
  for (const r of running.splice(0)) await r.close();
});

describe('server text in errors', () => {
  it('control characters from an error body are neutralised', async () => {
    const server = await startHttp((_req, res) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          code: 'bad',
          message: 'evil \u001b]0;PWNED\u0007 \u001b]52;c;ZWNobyBoaQ==\u0007 \u001b[2K\u001b[1Aok \u009b31m',
        }),
      );
    });
    running.push(server);
    const home = tempDir('hostile');
    fs.writeFileSync(path.join(home, 'm.yaml'), 'version: 1\nstack: s\nexperiments: []\n');
    const run = await runCli(['plan', 'm.yaml'], {
      cwd: home,
      env: baseEnv(home, { MINT_URL: server.url, MINT_TOKEN: 'mint_pat_hostileText01' }),
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('evil');
    // eslint-disable-next-line no-control-regex
    expect(run.stderr + run.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  });
});

describe('manifest text in CLI output', () => {
  // eslint-disable-next-line no-control-regex
  const controls = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
  const manifest = [
    'version: 1',
    'stack: hostile',
    'experiments:',
    '  - key: a',
    '    name: A',
    '    experiment_type: general',
    '    tags: {"k\\e]0;PWNED\\a\\n+ forged line": "v"}',
    '    design:',
    '      plugin_id: p',
    '      data: {"d\\e[2K\\u202e": 1}',
    '',
  ].join('\n');

  it('validate: a key with escapes and a newline is one inert diagnostic line', async () => {
    const home = tempDir('hostile-validate');
    fs.writeFileSync(
      path.join(home, 'm.yaml'),
      manifest.replace('    name: A\n', '    name: A\n    "x\\e]0;T\\a\\ny": 1\n'),
    );
    const run = await runCli(['validate', 'm.yaml'], { cwd: home, env: baseEnv(home) });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('unknown property');
    expect(run.stderr + run.stdout).not.toMatch(controls);
    expect(run.stderr.split('\n').filter((l) => l.startsWith('y'))).toEqual([]);
  });

  it('plan: tag names and data keys are shown escaped, on their own line', async () => {
    const { startSandbox } = await import('../../src/sandbox/index.js');
    const sandbox = await startSandbox({ port: 0, quiet: true });
    try {
      const home = tempDir('hostile-plan');
      fs.writeFileSync(path.join(home, 'm.yaml'), manifest);
      const run = await runCli(['plan', 'm.yaml', '--no-color'], {
        cwd: home,
        env: baseEnv(home, { MINT_URL: sandbox.url, MINT_TOKEN: sandbox.adminToken }),
      });
      expect(run.stderr).not.toMatch(/^error:/m);
      expect(run.code).toBe(0);
      expect(run.stdout).not.toMatch(controls);
      expect(run.stdout.split('\n').filter((l) => l.startsWith('+ forged'))).toEqual([]);
    } finally {
      await sandbox.close();
    }
  });
});
