// Credentials and bodies go only to the MINT origin: a 3xx is one clear error, never followed.
import { afterEach, describe, expect, it } from 'vitest';
import { MintClient, RedirectError } from '../../src/client/index.js';
import { allText, caught } from './helpers.js';
import { startHttp, type Running } from './servers.js';

const running: Running[] = [];
const clients: MintClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const r of running.splice(0)) await r.close();
});

/** MINT at one origin answers every request with `status` → `location(path)`; `other` records. */
async function redirecting(status: number, location: (path: string, otherUrl: string) => string) {
  const other = await startHttp((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end('{"access_token":"stolen","token_type":"bearer"}');
  });
  const mint = await startHttp((req, res) => {
    res.writeHead(status, { location: location(req.url ?? '/', other.url) });
    res.end();
  });
  running.push(other, mint);
  return { mint, other };
}

function client(opts: ConstructorParameters<typeof MintClient>[0]): MintClient {
  const c = new MintClient({ env: { HOME: '/nonexistent' }, retries: 2, ...opts });
  clients.push(c);
  return c;
}

describe('redirects are not followed', () => {
  it('a 307 on login does not re-send the password to the other origin', async () => {
    const { mint, other } = await redirecting(307, (p, o) => `${o}${p}`);
    const c = client({ baseUrl: mint.url, username: 'ci', password: 'hunter2-secret' });
    const err = await caught(c.whoami());
    expect(other.received).toEqual([]);
    expect(mint.received.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /api/auth/login']);
    expect(err).toBeInstanceOf(RedirectError);
    expect(err.message).toBe(
      `MINT answered 307 → ${other.url}/api/auth/login: set MINT_URL to that origin (${other.url}); ` +
        'redirects are not followed, so nothing was sent there',
    );
    expect(allText(err)).not.toContain('hunter2-secret');
    expect((err as RedirectError).mayHaveCommitted).toBe(false);
  });

  it('a 308 on a PUT does not re-send the lab data or the token', async () => {
    const { mint, other } = await redirecting(308, (p, o) => `${o}${p}`);
    const c = client({ baseUrl: mint.url, token: 'mint_pat_redirected' });
    const err = await caught(c.experiments.analysis.save(7, 'peak-qc', { secret_sample: 'S-1' }));
    expect(err).toBeInstanceOf(RedirectError);
    expect(other.received).toEqual([]);
    // not retried either: a redirect is an answer, not a transient failure
    expect(mint.received).toHaveLength(1);
  });

  it('an http → https upgrade gets the same line', async () => {
    const { mint } = await redirecting(301, (p) => `https://127.0.0.1:1${p}`);
    const c = client({ baseUrl: mint.url, token: 'mint_pat_upgrade' });
    const err = await caught(c.whoami());
    expect(err.message).toMatch(
      /^MINT answered 301 → https:\/\/127\.0\.0\.1:1\/api\/users\/me: set MINT_URL to that origin \(https:\/\/127\.0\.0\.1:1\)/,
    );
  });

  it('keeps a path prefix, resolves a relative Location and drops its query', async () => {
    const { mint } = await redirecting(302, (p) => `/mint${p}?code=one-time-code`);
    const err = await caught(client({ baseUrl: mint.url, token: 'mint_pat_prefix' }).whoami());
    expect(err.message).toContain(
      `→ ${mint.url}/mint/api/users/me: set MINT_URL to that origin (${mint.url}/mint)`,
    );
    expect(err.message).not.toContain('one-time-code');
  });

  it('a 3xx without a Location still says what to check', async () => {
    const mint = await startHttp((_req, res) => {
      res.writeHead(302);
      res.end();
    });
    running.push(mint);
    const err = await caught(client({ baseUrl: mint.url, token: 'mint_pat_noloc' }).whoami());
    expect(err.message).toBe(
      "MINT answered 302 to GET /api/users/me without a usable Location: check that MINT_URL is the MINT server's origin",
    );
  });
});
