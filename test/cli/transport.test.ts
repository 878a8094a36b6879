// The built CLI against real servers: --allow-insecure-http, proxies with NODE_EXTRA_CA_CERTS,
// --timeout against a trickled body, redirects, and hints that are true (issue 16 §6).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { buildProgram } from '../../src/cli/main.js';
import {
  forwardTo,
  PROXY_VARS,
  startHttp,
  startHttps,
  startProxy,
  TLS_DIR,
  type Running,
} from '../client/servers.js';
import { baseEnv, runCli, tempDir } from './helpers.js';

let sandbox: Sandbox;
let home: string;
const running: Running[] = [];
const MANIFEST =
  'version: 1\nstack: s\nexperiments:\n  - key: a\n    name: A\n    experiment_type: general\n';

beforeAll(async () => {
  // on every interface, so it can also be reached through a non-loopback address
  sandbox = await startSandbox({ port: 0, host: '0.0.0.0', quiet: true });
  home = tempDir('transport');
  fs.writeFileSync(path.join(home, 'mint.yaml'), MANIFEST);
});
afterAll(async () => {
  for (const r of running.splice(0)) await r.close();
  await sandbox.close();
});

const port = (): number => Number(new URL(sandbox.url).port);
const loopback = (): string => `http://127.0.0.1:${port()}`;
const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => {
  const e = baseEnv(home, extra);
  for (const k of PROXY_VARS) if (!(k in extra)) delete e[k];
  return e;
};
const cli = (args: string[], extra: NodeJS.ProcessEnv = {}) => runCli(args, { env: env(extra), cwd: home });

/** An address of this machine that is not loopback, as a remote MINT would be. */
function externalAddress(): string | undefined {
  return Object.values(os.networkInterfaces())
    .flat()
    .find((i) => i && !i.internal && i.family === 'IPv4')?.address;
}

describe('--allow-insecure-http', () => {
  const ip = externalAddress();
  // every CI runner and container has one; without it this block cannot be exercised
  it.runIf(ip)('refuses plain http to another host, naming the flag, before sending anything', async () => {
    const before = sandbox.stats().total;
    const run = await cli(['plan', 'mint.yaml'], {
      MINT_URL: `http://${ip}:${port()}`,
      MINT_TOKEN: sandbox.adminToken,
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `error: refusing to send credentials over plain http to ${ip}:${port()}: use an https:// MINT URL, or, only on a network you trust, pass --allow-insecure-http`,
    );
    expect(sandbox.stats().total).toBe(before);
  });

  it.runIf(ip)('the flag and MINT_ALLOW_INSECURE_HTTP=1 allow it, with a loud warning each run', async () => {
    const base = { MINT_URL: `http://${ip}:${port()}`, MINT_TOKEN: sandbox.adminToken };
    for (const run of [
      await cli(['--allow-insecure-http', '-q', 'plan', 'mint.yaml'], base),
      await cli(['-q', 'plan', 'mint.yaml'], { ...base, MINT_ALLOW_INSECURE_HTTP: '1' }),
    ]) {
      expect(run.code).toBe(0);
      expect(run.stderr).toContain(
        `warning: INSECURE: credentials and lab data go to ${ip}:${port()} over plain http`,
      );
      expect(run.stderr).not.toContain(sandbox.adminToken);
    }
  });

  it('is not needed, and does not warn, for this machine', async () => {
    const run = await cli(['plan', 'mint.yaml'], { MINT_URL: loopback(), MINT_TOKEN: sandbox.adminToken });
    expect(run.code).toBe(0);
    expect(run.stderr).not.toContain('INSECURE');
  });
});

describe('proxies and a lab CA', () => {
  it('https through HTTPS_PROXY (CONNECT) with the lab CA from NODE_EXTRA_CA_CERTS', async () => {
    const mint = await startHttps('server.pem', forwardTo(loopback()));
    const proxy = await startProxy();
    running.push(mint, proxy);
    const run = await cli(['plan', 'mint.yaml'], {
      MINT_URL: `https://localhost:${mint.port}`,
      MINT_TOKEN: sandbox.adminToken,
      HTTPS_PROXY: proxy.url,
      NODE_EXTRA_CA_CERTS: path.join(TLS_DIR, 'ca.pem'),
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(proxy.log.connects).toEqual([`localhost:${mint.port}`]);
    expect(Buffer.concat(proxy.log.tunneled).toString('latin1')).not.toContain(sandbox.adminToken);
  });

  it('without the CA: one line naming the certificate problem and NODE_EXTRA_CA_CERTS, no retries', async () => {
    const mint = await startHttps('server.pem', forwardTo(loopback()));
    running.push(mint);
    const run = await cli(['-v', 'plan', 'mint.yaml'], {
      MINT_URL: `https://localhost:${mint.port}`,
      MINT_TOKEN: sandbox.adminToken,
    });
    expect(run.code).toBe(1);
    const errors = run.stderr.split('\n').filter((l) => l.startsWith('error:'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      /is not signed by a certificate authority this machine trusts: if your lab uses its own CA, point NODE_EXTRA_CA_CERTS at its PEM file/,
    );
    expect(run.stderr).not.toMatch(/retry/);
    expect(mint.received).toEqual([]);
  });

  it('a plain-http MINT URL ignores HTTP_PROXY', async () => {
    const proxy = await startProxy();
    running.push(proxy);
    const run = await cli(['plan', 'mint.yaml'], {
      MINT_URL: loopback(),
      MINT_TOKEN: sandbox.adminToken,
      HTTP_PROXY: proxy.url,
      http_proxy: proxy.url,
    });
    expect(run.code).toBe(0);
    expect(proxy.log.forwarded).toEqual([]);
  });
});

describe('deadlines and redirects', () => {
  it('--timeout 1 --retries 0 against a body trickled after the headers fails on time', async () => {
    const server = await startHttp((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const timer = setInterval(() => res.write(' '), 200);
      res.on('close', () => clearInterval(timer));
    });
    running.push(server);
    const run = await cli(['--timeout', '1', '--retries', '0', 'plan', 'mint.yaml'], {
      MINT_URL: server.url,
      MINT_TOKEN: 'mint_pat_trickle',
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('ETIMEDOUT: no complete response within 1000 ms');
  });

  it('a redirect is one line naming the origin to use', async () => {
    const server = await startHttp((req, res) => {
      res.writeHead(307, { location: `https://mint.example.org${req.url}` });
      res.end();
    });
    running.push(server);
    const run = await cli(['plan', 'mint.yaml'], { MINT_URL: server.url, MINT_TOKEN: 'mint_pat_redirect' });
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe(
      'error: MINT answered 307 → https://mint.example.org/api/experiments: set MINT_URL to that origin ' +
        '(https://mint.example.org); redirects are not followed, so nothing was sent there',
    );
  });
});

describe('hints that are true', () => {
  it('a rejected personal access token says MINT rejected the token', async () => {
    const run = await cli(['plan', 'mint.yaml'], {
      MINT_URL: loopback(),
      MINT_TOKEN: 'mint_pat_not_a_real_one',
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('MINT rejected the token');
    expect(run.stderr).not.toMatch(/session has expired/);
  });

  it('a wrong MINT_PASSWORD names MINT_PASSWORD', async () => {
    const run = await cli(['plan', 'mint.yaml'], {
      MINT_URL: loopback(),
      MINT_USERNAME: 'admin',
      MINT_PASSWORD: 'not-the-password',
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('MINT_PASSWORD');
    expect(run.stderr).not.toContain('not-the-password');
    const login = await cli(['auth', 'login', '--username', 'admin'], {
      MINT_URL: loopback(),
      MINT_PASSWORD: 'not-the-password',
    });
    expect(login.code).toBe(1);
    expect(login.stderr).toContain('the password came from MINT_PASSWORD');
  });

  it('no library wording, and a connection error names its code once', async () => {
    const noUrl = await cli(['plan', 'mint.yaml']);
    expect(noUrl.stderr).toContain('no MINT server configured: pass --url, set MINT_URL');
    const refused = await cli(['plan', 'mint.yaml'], {
      MINT_URL: 'http://127.0.0.1:9',
      MINT_TOKEN: 'mint_pat_x1',
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr.match(/ECONNREFUSED/g)).toHaveLength(1);
    const noToken = await cli(['plan', 'mint.yaml'], { MINT_URL: loopback() });
    for (const run of [noUrl, refused, noToken]) expect(run.stderr).not.toMatch(/baseUrl|allowInsecureHttp/);
  });

  it('every `mint-manifest …` command quoted anywhere in the sources exists', () => {
    const program = buildProgram();
    const srcDir = path.resolve(__dirname, '../../src');
    const files = fs
      .readdirSync(srcDir, { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.ts'));
    const named = new Set<string>();
    for (const f of files) {
      for (const m of fs
        .readFileSync(path.join(srcDir, f), 'utf8')
        .matchAll(/[`'"(]mint-manifest ([a-z][a-z-]*)\b(?!:)(?: ([a-z][a-z-]*)\b)?/g))
        named.add(m[2] ? `${m[1]} ${m[2]}` : m[1]);
    }
    const missing = [...named].filter((words) => {
      const [first, second] = words.split(' ');
      const cmd = program.commands.find((c) => c.name() === first);
      if (!cmd) return true;
      // `mint-manifest auth` alone, or followed by an argument, must name a subcommand
      return cmd.commands.length > 0 && !cmd.commands.some((c) => c.name() === second);
    });
    expect(named.size).toBeGreaterThan(3);
    expect(missing).toEqual([]);
  });
});
