// A proxy can answer the CONNECT itself instead of opening the tunnel. For an https MINT URL only
// an answer that came over TLS is MINT's: anything else is the proxy's, and is reported as such —
// never taken as MINT's reply (a forged "201 Created"), never as a redirect MINT asked for.
import { describe, expect, it } from 'vitest';
import { ConnectionError } from '../../src/client/index.js';
import { allText, caught } from './helpers.js';
import { proxyTestbed, startProxy } from './servers.js';

const bed = proxyTestbed();
const running = bed.running;

function raw(status: string, headers: Record<string, string>, body = ''): string {
  const lines = Object.entries({ ...headers, 'content-length': String(Buffer.byteLength(body)) }).map(
    ([k, v]) => `${k}: ${v}`,
  );
  return `HTTP/1.1 ${status}\r\n${lines.join('\r\n')}\r\n\r\n${body}`;
}

async function refusingProxy(answer: string) {
  const p = await startProxy({ refuseConnect: answer });
  running.push(p);
  process.env.HTTPS_PROXY = p.url;
  return p;
}

describe('answers from the proxy, not MINT', () => {
  it('a forged 201 to a POST is not taken as MINT creating the experiment', async () => {
    const p = await refusingProxy(
      raw('201 Created', { 'content-type': 'application/json' }, '{"id":9999,"code":"EXP-FAKE"}'),
    );
    const c = bed.h.client({
      baseUrl: 'https://mint.example.org',
      token: 'mint_pat_proxyForge01',
      retries: 0,
    });
    const err = await caught(c.experiments.create({ name: 'x', experiment_type: 'general' }));
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.message).toContain('the proxy answered 201');
    expect(err.message).toContain('HTTPS_PROXY');
    // nothing went past the proxy: the request (and its token) was never written
    expect((err as ConnectionError).mayHaveCommitted).toBe(false);
    expect(Buffer.concat(p.log.tunneled).toString('latin1')).not.toContain('mint_pat_proxyForge01');
  });

  it('a 407 names the proxy and its credentials, not MINT', async () => {
    await refusingProxy(raw('407 Proxy Authentication Required', { 'proxy-authenticate': 'Basic' }));
    const c = bed.h.client({
      baseUrl: 'https://mint.example.org',
      token: 'mint_pat_proxyForge01',
      retries: 0,
    });
    const err = await caught(c.experiments.list());
    expect(err.message).toContain('the proxy answered 407');
    expect(err.message).not.toMatch(/MINT answered/);
    expect(allText(err)).not.toContain('mint_pat_proxyForge01');
  });

  it('a redirect from the proxy is not presented as MINT asking to change MINT_URL', async () => {
    await refusingProxy(raw('302 Found', { location: 'http://evil.example/login' }));
    const c = bed.h.client({
      baseUrl: 'https://mint.example.org',
      token: 'mint_pat_proxyForge01',
      retries: 0,
    });
    const err = await caught(c.experiments.list());
    expect(err.message).toContain('the proxy answered 302');
    expect(err.message).not.toContain('set MINT_URL');
  });
});
