import * as http from 'node:http';
import { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { MintClient, MintConfigError, normalizeBaseUrl } from '../../src/client/index.js';
import { assertSecureTransport, withConnectTimeout } from '../../src/client/http.js';

describe('base URL', () => {
  it('accepts an origin or one ending in /api', () => {
    expect(normalizeBaseUrl('https://mint.example.org')).toBe('https://mint.example.org');
    expect(normalizeBaseUrl('https://mint.example.org/api/')).toBe('https://mint.example.org');
    expect(normalizeBaseUrl('https://proxy.example.org/mint/api')).toBe('https://proxy.example.org/mint');
    expect(new MintClient({ baseUrl: 'http://127.0.0.1:9/api', token: 'x', env: {} }).baseUrl).toBe(
      'http://127.0.0.1:9',
    );
  });
  it('rejects what is not an http(s) URL, with a hint', () => {
    expect(() => normalizeBaseUrl('mint.example.org')).toThrow(/not a valid URL.*https:\/\//);
    expect(() => normalizeBaseUrl('ftp://mint.example.org')).toThrow(MintConfigError);
  });
});

describe('construction', () => {
  it('refuses a service token with a clear message that does not echo it', () => {
    const token = 'mint_svc_abcdef123456';
    let err: unknown;
    try {
      new MintClient({ baseUrl: 'https://mint.example.org', token, env: {} });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MintConfigError);
    expect((err as Error).message).toMatch(
      /service tokens are not accepted on \/api routes.*personal access token/,
    );
    expect((err as Error).message).not.toContain(token);
  });
  it('refuses a service token from MINT_TOKEN too', () => {
    expect(
      () => new MintClient({ env: { MINT_URL: 'https://m.example.org', MINT_TOKEN: 'mint_svc_x1' } }),
    ).toThrow(MintConfigError);
  });
  it('validates MINT_PLATFORM_TIMEOUT', () => {
    expect(
      () =>
        new MintClient({
          baseUrl: 'https://m.example.org',
          token: 't',
          env: { MINT_PLATFORM_TIMEOUT: 'abc' },
        }),
    ).toThrow(/MINT_PLATFORM_TIMEOUT must be a positive number of seconds/);
  });
  it('fails on first authenticated use, naming the three token sources, when no token is known', async () => {
    const client = new MintClient({ baseUrl: 'http://127.0.0.1:9', env: { HOME: '/nonexistent-home' } });
    await expect(client.whoami()).rejects.toThrow(/--token.*MINT_TOKEN.*credentials\.json/);
  });
});

describe('insecure transport guard', () => {
  it('allows https anywhere and http on loopback', () => {
    expect(() => assertSecureTransport('https://mint.example.org', false)).not.toThrow();
    expect(() => assertSecureTransport('http://localhost:8000', false)).not.toThrow();
    expect(() => assertSecureTransport('http://127.0.0.5:8000', false)).not.toThrow();
    expect(() => assertSecureTransport('http://[::1]:8000', false)).not.toThrow();
  });
  it('refuses http to another host unless allowed', () => {
    expect(() => assertSecureTransport('http://mint.example.org', false)).toThrow(
      /--allow-insecure-http \(MINT_ALLOW_INSECURE_HTTP=1; Action input allow-insecure-http: true\)/,
    );
    expect(() => assertSecureTransport('http://mint.example.org', true)).not.toThrow();
  });
  it('does not take *.localhost for this machine: Node resolves such names through DNS', () => {
    expect(() => assertSecureTransport('http://mint.localhost:8000', false)).toThrow(/--allow-insecure-http/);
  });
  it('refuses before any request leaves', async () => {
    const client = new MintClient({
      baseUrl: 'http://mint.invalid',
      token: 'mint_pat_zzzzzz',
      env: {},
      retries: 0,
    });
    await expect(client.whoami()).rejects.toBeInstanceOf(MintConfigError);
  });
});

describe('connect timeout', () => {
  it('destroys a socket that never connects, with a code that says so', async () => {
    const agent = new http.Agent();
    // a socket stuck in the connecting state, as with a black-holed address
    (agent as unknown as { createConnection: () => Duplex }).createConnection = () =>
      Object.assign(new Duplex({ read() {}, write: (_c, _e, cb) => cb() }), { connecting: true });
    withConnectTimeout(agent, 50);
    const err = await new Promise<NodeJS.ErrnoException>((resolve) => {
      const req = http.get({ host: 'example.invalid', agent }, () => resolve(new Error('answered')));
      req.on('error', resolve);
    });
    expect(err.code).toBe('MINT_CONNECT_TIMEOUT');
  });
});

describe('on the wire', () => {
  it('sends our User-Agent and the bearer token under /api, over one kept-alive socket', async () => {
    const seen: { url?: string; ua?: string; auth?: string; port?: number }[] = [];
    const server = http.createServer((req, res) => {
      seen.push({
        url: req.url,
        ua: req.headers['user-agent'],
        auth: req.headers.authorization,
        port: req.socket.remotePort,
      });
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ id: 1, username: 'u', role: 'member', is_active: true }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const { port } = server.address() as { port: number };
    const client = new MintClient({
      baseUrl: `http://127.0.0.1:${port}/api`,
      token: 'mint_pat_wire',
      env: {},
    });
    try {
      await client.whoami();
      await client.whoami();
    } finally {
      client.close();
      await new Promise<void>((r) => server.close(() => r()));
    }
    expect(seen).toHaveLength(2);
    expect(seen[0]).toMatchObject({ url: '/api/users/me', auth: 'Bearer mint_pat_wire' });
    expect(seen[0].ua).toMatch(/^mint-manifest\/\d+\.\d+\.\d+/);
    expect(seen[1].port).toBe(seen[0].port);
  });
});
