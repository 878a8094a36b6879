// Shared setup for the client's integration tests: a real sandbox on port 0 and real clients.
import { MintClient, type MintClientOptions } from '../../src/client/index.js';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/index.js';

export interface Harness {
  sandbox: Sandbox;
  clients: MintClient[];
  client(opts?: MintClientOptions): MintClient;
  close(): Promise<void>;
}

export async function harness(opts: SandboxOptions = {}): Promise<Harness> {
  const sandbox = await startSandbox({ quiet: true, authRateLimit: false, ...opts });
  const clients: MintClient[] = [];
  return {
    sandbox,
    clients,
    client(o: MintClientOptions = {}) {
      // env: {} keeps the developer's own MINT_* and credentials file out of the tests
      const c = new MintClient({
        baseUrl: sandbox.url,
        token: sandbox.adminToken,
        env: { HOME: '/nonexistent' },
        ...o,
      });
      clients.push(c);
      return c;
    },
    async close() {
      for (const c of clients) c.close();
      await sandbox.close();
    },
  };
}

/** Every error string a user or a log could see. */
export function allText(err: unknown): string {
  const e = err as Error;
  return [String(e), e.message, e.stack ?? '', JSON.stringify(e), JSON.stringify(Object.entries(e))].join(
    '\n',
  );
}

export async function caught(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the call to fail');
}
