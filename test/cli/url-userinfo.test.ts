// A MINT URL carrying a password in its user-info is refused without ever printing the password,
// also when the URL is invalid for another reason (bad port, space, wrong scheme).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { baseEnv, runCli } from './helpers.js';

const PASSWORD = 's3cretUrlPassw0rd';

describe('MINT_URL with user-info', () => {
  it.each([
    `https://ci:${PASSWORD}@mint.example.org:99999`,
    `https://ci:${PASSWORD}@mint.exa mple.org`,
    `ftp://ci:${PASSWORD}@mint.example.org`,
    `https://ci:${PASSWORD}@mint.example.org`,
  ])('%s: refused, the password never printed', async (url) => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-url-'));
    fs.writeFileSync(path.join(home, 'm.yaml'), 'version: 1\nstack: s\nexperiments: []\n');
    for (const [args, env] of [
      [['plan', 'm.yaml'], { MINT_URL: url }],
      [['plan', 'm.yaml', '--url', url], {}],
    ] as const) {
      const r = await runCli([...args, '--verbose'], {
        cwd: home,
        env: baseEnv(home, { ...env, MINT_TOKEN: 'mint_pat_urlTest0123' }),
      });
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/MINT URL/);
      expect(r.stdout + r.stderr).not.toContain(PASSWORD);
    }
  });
});
