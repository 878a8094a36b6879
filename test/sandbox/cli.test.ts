// runSandboxCli and its argument parsing (the real `mint-manifest sandbox` command calls these).
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { type Sandbox, parseSandboxArgs, runSandboxCli } from '../../src/sandbox/index.js';
import { call } from './helpers.js';

describe('sandbox CLI', () => {
  it('parses the documented flags', () => {
    expect(
      parseSandboxArgs([
        '--port',
        '0',
        '--data=x.json',
        '--user',
        'a:b',
        '--user',
        'c:d:admin',
        '--token',
        'mint_pat_t',
        '--json',
      ]),
    ).toEqual({
      port: 0,
      data: 'x.json',
      users: ['a:b', 'c:d:admin'],
      token: 'mint_pat_t',
      json: true,
    });
    expect(() => parseSandboxArgs(['--bogus'])).toThrow(/unknown option --bogus/);
    expect(() => parseSandboxArgs(['--port'])).toThrow('--port needs a value');
  });

  it('prints the URL and a working admin token, serves the given users, stops on abort', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString()));
    const stop = new AbortController();
    let sandbox: Sandbox | undefined;
    const ready = new Promise<void>((res) => {
      void runSandboxCli({
        port: 0,
        users: ['frank:f-pw'],
        out,
        signal: stop.signal,
        onReady: (sb) => ((sandbox = sb), res()),
      }).then((code) => {
        text += `exit ${code}`;
      });
    });
    await ready;
    const sb = sandbox as Sandbox;
    try {
      expect(text).toContain(`MINT sandbox listening on ${sb.url} (in memory)`);
      const token = /MINT_TOKEN=(\S+)/.exec(text)?.[1];
      expect(token).toBe(sb.adminToken);
      expect((await call(sb, 'GET', '/api/users/me', { token })).body.username).toBe('admin');
      expect(
        (
          await call(sb, 'POST', '/api/auth/login', {
            body: { username: 'frank', password: 'f-pw' },
            token: null,
          })
        ).status,
      ).toBe(200);
      stop.abort();
      await expect.poll(() => text).toContain('exit 0');
      await expect(fetch(`${sb.url}/api/health`)).rejects.toThrow();
    } finally {
      // a failed assertion above must not leave the server running
      stop.abort();
      await sb.close();
    }
  });

  it('uses a given token and refuses malformed options with one readable line', async () => {
    const stop = new AbortController();
    let url = '';
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString()));
    const done = runSandboxCli({
      port: 0,
      token: 'mint_pat_fixed',
      json: true,
      out,
      signal: stop.signal,
      onReady: (sb) => (url = sb.url),
    });
    try {
      await expect.poll(() => url).not.toBe('');
      expect(JSON.parse(text)).toEqual({ url, token: 'mint_pat_fixed', data: null });
    } finally {
      // stop the server even when an assertion above failed
      stop.abort();
      await done;
    }
    await expect(runSandboxCli({ users: ['nopassword'] })).rejects.toThrow(
      '--user "nopassword:…" is malformed: expected name:password or name:password:admin',
    );
    await expect(runSandboxCli({ port: 70000 })).rejects.toThrow(/--port 70000/);
    await expect(runSandboxCli({ token: 'mint_svc_x' })).rejects.toThrow(/--token/);
  });
});
