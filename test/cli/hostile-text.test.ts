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
