// Proxies and certificates: https goes through HTTPS_PROXY as a CONNECT tunnel (the proxy never sees
// the token), NO_PROXY is honoured, plain http never uses a proxy, and a refused certificate is one
// final line naming the problem and NODE_EXTRA_CA_CERTS.
import { describe, expect, it } from 'vitest';
import { ConnectionError } from '../../src/client/index.js';
import type { Transport } from '../../src/client/http.js';
import { caught } from './helpers.js';
import { forwardTo, proxyTestbed, startHttps, startProxy, tlsFile } from './servers.js';

const bed = proxyTestbed();
const running = bed.running;

/** The real sandbox behind a TLS front end with the given fixture certificate. */
async function httpsMint(cert = 'server.pem') {
  const front = await startHttps(cert, forwardTo(bed.h.sandbox.url));
  running.push(front);
  return front;
}

async function proxy() {
  const p = await startProxy();
  running.push(p);
  return p;
}

const TOKEN = () => bed.h.sandbox.adminToken;

describe('proxies', () => {
  it('https goes through HTTPS_PROXY as a CONNECT tunnel: the proxy sees the host, never the token', async () => {
    const mint = await httpsMint();
    const p = await proxy();
    process.env.HTTPS_PROXY = p.url;
    const c = bed.h.client({ baseUrl: mint.url, ca: tlsFile('ca.pem'), retries: 0 });
    expect((await c.whoami()).username).toBe('admin');
    expect(p.log.connects).toEqual([`127.0.0.1:${mint.port}`]);
    expect(p.log.forwarded).toEqual([]);
    expect(Buffer.concat(p.log.tunneled).toString('latin1')).not.toContain(TOKEN());
    expect(mint.received[0].headers.authorization).toBe(`Bearer ${TOKEN()}`);
  });

  it('NO_PROXY keeps a host off the proxy', async () => {
    const mint = await httpsMint();
    const p = await proxy();
    process.env.HTTPS_PROXY = p.url;
    process.env.NO_PROXY = 'example.org,127.0.0.1';
    const c = bed.h.client({ baseUrl: mint.url, ca: tlsFile('ca.pem'), retries: 0 });
    expect((await c.whoami()).username).toBe('admin');
    expect(p.log.connects).toEqual([]);
    expect(mint.received).toHaveLength(1);
  });

  it('a plain-http MINT URL never goes through HTTP_PROXY (it would see the bearer token)', async () => {
    const p = await proxy();
    process.env.HTTP_PROXY = p.url;
    process.env.http_proxy = p.url;
    const c = bed.h.client({ retries: 0 });
    expect((await c.whoami()).username).toBe('admin');
    expect(p.log.forwarded).toEqual([]);
    expect(p.log.connects).toEqual([]);
    expect(bed.h.sandbox.stats().byRoute['GET /api/users/me']).toBe(1);
  });

  // axios' `proxy: false` costs memory on every request (src/client/http.ts, withoutProxy), so it is
  // only in the config a request runs with when a variable names an http proxy.
  it('proxy: false is set only when a variable names an http proxy', async () => {
    const c = bed.h.client({ retries: 0 });
    const seen: unknown[] = [];
    const transport = (c as unknown as { transport: Transport }).transport;
    transport.axios.interceptors.response.use((res) => {
      seen.push('proxy' in res.config ? res.config.proxy : 'unset');
      return res;
    });
    await c.whoami();
    process.env.HTTP_PROXY = 'http://127.0.0.1:9';
    await c.whoami();
    expect(seen).toEqual(['unset', false]);
  });

  // The switch is thrown per attempt, only when a variable names an http proxy: ALL_PROXY is one
  // axios reads, and a client made before the variable was set must still go direct.
  it.each(['ALL_PROXY', 'all_proxy', 'HTTP_PROXY', 'http_proxy'])(
    'a plain-http MINT URL ignores %s set after the client was made',
    async (name) => {
      const p = await proxy();
      const c = bed.h.client({ retries: 0 });
      process.env[name] = p.url;
      expect((await c.whoami()).username).toBe('admin');
      expect(p.log.forwarded).toEqual([]);
      expect(p.log.connects).toEqual([]);
      expect(bed.h.sandbox.stats().byRoute['GET /api/users/me']).toBe(1);
    },
  );
});

describe('certificates', () => {
  async function certFailure(cert: string, ca?: string) {
    const mint = await httpsMint(cert);
    const c = bed.h.client({ baseUrl: mint.url, ca, retries: 3 });
    const err = await caught(c.experiments.create({ name: 'tls', experiment_type: 'general' }));
    // the handshake failed before the request was written: nothing reached MINT, nothing retried
    expect(mint.received).toEqual([]);
    expect(bed.h.sandbox.stats().byRoute['POST /api/experiments'] ?? 0).toBe(0);
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as ConnectionError).mayHaveCommitted).toBe(false);
    expect(err.message).not.toMatch(/may have been stored/);
    expect(err.message.split('\n')).toHaveLength(1);
    expect(err.message).toContain('NODE_EXTRA_CA_CERTS');
    return { err: err as ConnectionError, mint };
  }

  it('an untrusted CA: names the problem and NODE_EXTRA_CA_CERTS', async () => {
    const { err, mint } = await certFailure('server.pem');
    expect(err.code).toMatch(/^(UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN)$/);
    expect(err.message).toBe(
      `POST /api/experiments → ${err.code}: the TLS certificate of 127.0.0.1:${mint.port} is not signed by a ` +
        'certificate authority this machine trusts: if your lab uses its own CA, point NODE_EXTRA_CA_CERTS at ' +
        'its PEM file; nothing was sent',
    );
  });

  it('an expired certificate', async () => {
    const { err } = await certFailure('expired.pem', tlsFile('ca.pem'));
    expect(err.code).toBe('CERT_HAS_EXPIRED');
    expect(err.message).toMatch(/certificate of 127\.0\.0\.1:\d+ has expired: the server needs a renewed/);
  });

  it('a certificate for another name', async () => {
    const { err } = await certFailure('wrong-name.pem', tlsFile('ca.pem'));
    expect(err.code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    expect(err.message).toMatch(/was not issued for this host name: use the name on the certificate/);
  });

  it('the test CA given as `ca` is trusted in addition to the public roots', async () => {
    const mint = await httpsMint();
    const c = bed.h.client({ baseUrl: mint.url, ca: tlsFile('ca.pem') });
    expect((await c.whoami()).username).toBe('admin');
  });
});
