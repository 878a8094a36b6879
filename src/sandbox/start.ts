// startSandbox: wires store, auth, faults and the HTTP server together.
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Auth, RateLimiter } from './auth.js';
import type { App } from './context.js';
import { validateFaultConfig } from './faults.js';
import { addArtifact } from './handlers/artifacts.js';
import { SandboxServer } from './server.js';
import { Store } from './store.js';
import type { FaultConfig, Sandbox, SandboxOptions } from './types.js';

/** Reported by GET /api/health. */
export const SANDBOX_VERSION = '1.4.0-sandbox';

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const now = opts.now ?? Date.now;
  const store = new Store(opts.dataFile);
  // like MINT, a strict sandbox never refreshes an expired session
  const refreshWindow = opts.refreshWindowSeconds ?? (opts.strict ? 0 : 86_400);
  const auth = new Auth(store, now, opts.sessionTtlSeconds ?? 3600, refreshWindow);
  auth.ensureUsers([
    ...(opts.users?.some((u) => u.username === 'admin')
      ? []
      : [{ username: 'admin', password: 'admin', role: 'admin' as const }]),
    ...(opts.users ?? []),
  ]);
  // Always written at start: proves the file is writable and clears temp files of a killed run.
  if (opts.dataFile) store.flushSync();

  // The admin user always exists (added above); a caller may only have changed its password.
  const adminName =
    store.state.users.admin?.role === 'admin'
      ? 'admin'
      : (opts.users?.find((u) => u.role === 'admin')?.username ?? 'admin');
  const adminToken = auth.createPat({ username: adminName }, opts.adminToken);

  const app: App = {
    store,
    auth,
    now,
    bootId: randomUUID(),
    startedAt: now(),
    version: SANDBOX_VERSION,
    strict: opts.strict ?? false,
  };
  const limit = opts.authRateLimit === undefined ? { max: 20, windowSeconds: 60 } : opts.authRateLimit;
  const server = new SandboxServer({
    app,
    legacyErrors: opts.legacyErrors ?? false,
    authLimiter: limit ? new RateLimiter(limit.max, limit.windowSeconds * 1000, now) : null,
    logSize: opts.logSize ?? 1000,
    quiet: opts.quiet ?? false,
    strict: opts.strict ?? false,
  });
  if (opts.faults) server.faults.set(validateFaultConfig(opts.faults));

  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.http.once('error', reject);
    server.http.listen(opts.port ?? 0, host, () => {
      server.http.off('error', reject);
      resolve();
    });
  });
  const address = server.http.address() as AddressInfo;
  const urlHost =
    address.family === 'IPv6' || host.includes(':')
      ? `[${address.address}]`
      : host === '0.0.0.0'
        ? '127.0.0.1'
        : host;

  let closed: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${address.port}`,
    adminToken,
    close() {
      closed ??= (async () => {
        server.shutdown();
        const done = new Promise<void>((resolve) => server.http.close(() => resolve()));
        server.http.closeAllConnections();
        await done;
        await store.drain();
      })();
      return closed;
    },
    setFaults(cfg: FaultConfig) {
      server.faults.set(validateFaultConfig(cfg));
    },
    stats: () => server.stats(),
    resetStats: () => server.resetStats(),
    createToken: (o) => auth.createToken(o),
    addArtifact: (a) => addArtifact(app, a),
    log: () => server.log(),
  };
}
