// auth login/status/logout through the built CLI, with the credentials file under a temp XDG_CONFIG_HOME.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { baseEnv, runCli, tempDir, transcript } from './helpers.js';

const PASSWORD = 'correct-horse-battery-7';

let sandbox: Sandbox;
let home: string;
let env: NodeJS.ProcessEnv;
let credFile: string;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, quiet: true, users: [{ username: 'alice', password: PASSWORD }] });
  home = tempDir('auth');
  // URL only: the token must come from the credentials file
  env = baseEnv(home, { MINT_URL: sandbox.url });
  credFile = path.join(home, '.config', 'mint', 'credentials.json');
});

afterAll(async () => {
  await sandbox?.close();
  const all = transcript.join('\n');
  expect(all).not.toContain(PASSWORD);
  expect(all).not.toContain(sandbox.adminToken);
});

const cli = (args: string[], input?: string, extraEnv: NodeJS.ProcessEnv = {}) =>
  runCli(args, { env: { ...env, ...extraEnv }, cwd: home, input });

describe('auth', () => {
  it('login --password-stdin stores a session token (not the password) in a 0600 file', async () => {
    const r = await cli(['auth', 'login', '--username', 'alice', '--password-stdin'], `${PASSWORD}\n`);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`logged in to ${sandbox.url} as alice`);
    expect(r.stdout).toContain(credFile);
    expect(fs.statSync(credFile).mode & 0o777).toBe(0o600);
    const text = fs.readFileSync(credFile, 'utf8');
    expect(text).not.toContain(PASSWORD);
    const stored = JSON.parse(text) as {
      default: string;
      hosts: Record<string, { token: string; username: string }>;
    };
    expect(stored.default).toBe(sandbox.url);
    const token = stored.hosts[sandbox.url].token;
    expect(token.length).toBeGreaterThan(10);
    expect(r.stdout + r.stderr).not.toContain(token);
  });

  it('status shows server, user, token kind and expiry, never the token; other commands use it', async () => {
    const r = await cli(['auth', 'status']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`MINT:    ${sandbox.url} (from MINT_URL)`);
    expect(r.stdout).toContain(`Token:   session token, from ${credFile}`);
    expect(r.stdout).toMatch(/User:\s+alice \(role member\)/);
    expect(r.stdout).toMatch(/Expires: \d{4}-\d{2}-\d{2}T/);
    const token = (
      JSON.parse(fs.readFileSync(credFile, 'utf8')) as { hosts: Record<string, { token: string }> }
    ).hosts[sandbox.url].token;
    expect(r.stdout + r.stderr).not.toContain(token);

    const up = await cli(['upload', '--experiment', 'NOPE-1', '--result', credFile, '--plugin', 'x']);
    // authenticated with the stored token: MINT answered the lookup, the experiment just does not exist
    expect(up.stderr).toMatch(/no experiment has code "NOPE-1"/);
  });

  it('refuses a wrong password in one line, and a missing password off a terminal', async () => {
    const wrong = await cli(['auth', 'login', '--username', 'alice', '--password-stdin'], 'not-it\n');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^error: login to \S+ failed: wrong user name or password for alice/);
    expect(wrong.stderr.trim().split('\n')).toHaveLength(1);

    const none = await cli(['auth', 'login', '--username', 'alice']);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/no password: .*--password-stdin/);
  });

  it('logout forgets the token; status then says how to log in', async () => {
    const r = await cli(['auth', 'logout']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`forgot the token for ${sandbox.url}`);
    const stored = JSON.parse(fs.readFileSync(credFile, 'utf8')) as { hosts: Record<string, unknown> };
    expect(stored.hosts[sandbox.url]).toBeUndefined();

    const status = await cli(['auth', 'status']);
    expect(status.code).toBe(1);
    expect(status.stderr).toMatch(/not logged in to .*MINT_TOKEN.*auth login/);
  });

  it('warns that --token is less safe, and masks it', async () => {
    const r = await cli(['auth', 'status', '--token', sandbox.adminToken]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: --token .* MINT_TOKEN or `mint-manifest auth login` is safer/);
    expect(r.stdout).toContain('Token:   personal access token, from --token');
    expect(r.stdout).toMatch(/User:\s+admin/);
  });
});
