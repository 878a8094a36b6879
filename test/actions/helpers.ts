// Shared by the engine's integration tests: a sandbox on port 0, the real client, real manifests on disk.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EngineEvent } from '../../src/actions/types.js';
import { validate } from '../../src/actions/validate.js';
import { MintClient, type MintClientOptions } from '../../src/client/index.js';
import type { Experiment } from '../../src/client/models.js';
import { KEY_TAG, STACK_TAG, type ResolvedManifest } from '../../src/manifest/model.js';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/index.js';

export interface Harness {
  sandbox: Sandbox;
  client: MintClient;
  dir: string;
  /** Writes `files` (name → text) into the temp dir and loads `main` with the real loader. */
  load(files: Record<string, string>, main?: string): Promise<ResolvedManifest>;
  clientWith(extra: MintClientOptions): MintClient;
  /** Every live experiment (all projects). */
  all(): Promise<Experiment[]>;
  close(): Promise<void>;
}

export async function startHarness(opts: SandboxOptions = {}): Promise<Harness> {
  const sandbox = await startSandbox({ port: 0, quiet: true, authRateLimit: false, ...opts });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-engine-'));
  const clientWith = (extra: MintClientOptions) =>
    new MintClient({ baseUrl: sandbox.url, token: sandbox.adminToken, env: {}, ...extra });
  const client = clientWith({});
  return {
    sandbox,
    client,
    dir,
    clientWith,
    async load(files, main = 'mint.yaml') {
      for (const [name, text] of Object.entries(files)) {
        const file = path.join(dir, name);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, text);
      }
      const res = await validate({ paths: [path.join(dir, main)], cwd: dir, workspaceRoot: dir, env: {} });
      if (!res.ok)
        throw new Error(
          `test manifest invalid: ${res.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
        );
      return res.manifest;
    },
    all: () => client.experiments.list({ limit: 1000 }),
    async close() {
      await sandbox.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function owned(list: Experiment[], stack: string): Experiment[] {
  return list.filter((e) => e.tags?.[STACK_TAG] === stack);
}

/** How many live experiments of `stack` carry each key (1 everywhere = no duplicates). */
export async function keyCounts(h: Harness, stack: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const e of owned(await h.all(), stack)) {
    const k = String(e.tags['mint-manifest.key']);
    counts[k] = (counts[k] ?? 0) + 1;
  }
  return counts;
}

export function byKey(list: Experiment[], stack: string): Map<string, Experiment> {
  return new Map(owned(list, stack).map((e) => [String(e.tags[KEY_TAG]), e]));
}

export function collect(): { events: EngineEvent[]; sink: (e: EngineEvent) => void } {
  const events: EngineEvent[] = [];
  return { events, sink: (e) => events.push(e) };
}
