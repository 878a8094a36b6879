// Sandbox state and its persistence. Every acknowledged write is durable before the response:
// handlers mutate memory synchronously, then await commit(); concurrent commits share one
// atomic file write (temp file, fsync, rename, fsync dir), so a SIGKILL never leaves a torn file.
import {
  closeSync,
  fsyncSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { ExperimentStatus, JsonObject, JsonValue, ProjectStatus } from '../client/models.js';
import type { SandboxRole } from './types.js';

export interface StoredUser {
  id: number;
  username: string;
  shortname: string;
  email: string;
  role: SandboxRole;
  is_active: boolean;
  password_hash: string;
  second_factor: boolean;
  created_at: string;
}

export interface StoredMember {
  user_id: number;
  username: string;
  role: string;
}

export interface StoredProject {
  id: number;
  name: string;
  description: string | null;
  status: ProjectStatus;
  created_by: string;
  created_at: string;
  updated_at: string;
  members: StoredMember[];
}

export interface StoredExperiment {
  id: number;
  experiment_code: string;
  name: string;
  experiment_type: string;
  status: ExperimentStatus;
  project_id: number | null;
  notes: string | null;
  tags: JsonObject;
  custom_metadata: JsonObject;
  parent_experiment_id: number | null;
  start_date: string | null;
  end_date: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export interface StoredDesign {
  plugin_id: string;
  data: JsonValue;
  schema_version: string;
  created_at: string;
  updated_at: string;
}

export interface StoredResult {
  result: JsonValue;
  created_at: string;
  updated_at: string;
}

export interface StoredPluginConfig {
  config: JsonObject;
  revision: number;
  updated_at: string | null;
}

/** A plugin's own settings (`{api_prefix}/settings`), guarded by If-Match. */
export interface StoredPluginSettings {
  settings: JsonObject;
  revision: number;
}

/** An analysis artifact a plugin wrote; read, annotated, archived and restored through the API. */
export interface StoredArtifact {
  id: number;
  experiment_id: number;
  plugin_id: string;
  artifact_key: string;
  display_name: string;
  note: string | null;
  status: 'active' | 'archived';
  result: JsonObject;
  created_at: string;
  updated_at: string;
  archived_at: string | null;
  archived_by: number | null;
}

/** An object (file) a plugin stored for an experiment; bytes as base64. */
export interface StoredObject {
  content_type: string;
  base64: string;
}

export interface SandboxState {
  format: 'mint-sandbox/1';
  users: Record<string, StoredUser>;
  projects: Record<string, StoredProject>;
  experiments: Record<string, StoredExperiment>;
  /** Keyed by experiment id. */
  design: Record<string, StoredDesign>;
  /** Keyed by experiment id, then plugin id. */
  results: Record<string, Record<string, StoredResult>>;
  pluginConfigs: Record<string, StoredPluginConfig>;
  /** Per-admin-call plugin role grants: plugin name → role names. */
  pluginRoles: Record<string, string[]>;
  pluginSettings: Record<string, StoredPluginSettings>;
  /** Keyed by artifact id. */
  artifacts: Record<string, StoredArtifact>;
  /** Keyed by `${experiment id}/${plugin id}/${object key}`. */
  objects: Record<string, StoredObject>;
  seq: {
    user: number;
    project: number;
    experiment: number;
    artifact: number;
    codes: Record<string, number>;
  };
}

export function emptyState(): SandboxState {
  return {
    format: 'mint-sandbox/1',
    users: {},
    projects: {},
    experiments: {},
    design: {},
    results: {},
    pluginConfigs: {},
    pluginRoles: {},
    pluginSettings: {},
    artifacts: {},
    objects: {},
    seq: { user: 0, project: 0, experiment: 0, artifact: 0, codes: {} },
  };
}

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
  reject: (e: unknown) => void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

export class Store {
  state: SandboxState;
  private readonly file: string | undefined;
  private pending: Deferred | null = null;
  private flushing: Promise<void> | null = null;

  constructor(file?: string) {
    this.file = file;
    this.state = file ? loadStateFile(file) : emptyState();
  }

  /** Writes the current state once, synchronously (start-up, so the file exists from the start). */
  flushSync(): void {
    if (!this.file) return;
    const tmp = `${this.file}.${process.pid}.tmp`;
    try {
      const fd = openSync(tmp, 'w', 0o600);
      try {
        writeSync(fd, JSON.stringify(this.state));
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, this.file);
    } catch (e) {
      throw new Error(
        `sandbox: cannot write data file ${this.file} (${(e as Error).message}); check that its folder exists and is writable`,
      );
    }
    syncDirSync(dirname(this.file));
    removeStaleTemps(this.file);
  }

  /** Resolves once every mutation made before this call is on disk. */
  commit(): Promise<void> {
    if (!this.file) return Promise.resolve();
    if (!this.pending) this.pending = deferred();
    const done = this.pending.promise;
    if (!this.flushing) this.startFlush();
    return done;
  }

  /** Waits for writes in flight (used by close()). */
  async drain(): Promise<void> {
    while (this.flushing) await this.flushing.catch(() => undefined);
  }

  private startFlush(): void {
    const batch = this.pending;
    if (!batch || !this.file) return;
    this.pending = null;
    const json = JSON.stringify(this.state);
    this.flushing = writeAtomic(this.file, json)
      .then(batch.resolve, batch.reject)
      .finally(() => {
        this.flushing = null;
        if (this.pending) this.startFlush();
      });
  }
}

async function writeAtomic(file: string, json: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  const fh = await open(tmp, 'w', 0o600);
  try {
    await fh.writeFile(json);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
  // The rename itself must survive a crash too, so sync the directory entry.
  const dir = await open(dirname(file), 'r');
  try {
    await dir.sync();
  } catch {
    // Some filesystems refuse fsync on a directory; the rename is still atomic.
  } finally {
    await dir.close();
  }
}

/** Temp files of a sandbox killed mid-write are garbage: the data file itself is always whole. */
function removeStaleTemps(file: string): void {
  const dir = dirname(file);
  const prefix = `${basename(file)}.`;
  for (const name of readdirSync(dir)) {
    if (
      name.startsWith(prefix) &&
      /^\d+\.tmp$/.test(name.slice(prefix.length)) &&
      name !== `${prefix}${process.pid}.tmp`
    ) {
      rmSync(join(dir, name), { force: true });
    }
  }
}

function syncDirSync(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // See writeAtomic.
  }
}

function loadStateFile(file: string): SandboxState {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return emptyState();
    throw new Error(`sandbox: cannot read data file ${file}: ${(e as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new Error(
      `sandbox: data file ${file} is not valid JSON (${(e as Error).message}); move it away to start fresh`,
    );
  }
  const obj = parsed as Partial<SandboxState> | null;
  if (!obj || typeof obj !== 'object' || obj.format !== 'mint-sandbox/1') {
    throw new Error(
      `sandbox: ${file} is not a sandbox data file (no "format": "mint-sandbox/1"); use another --data path`,
    );
  }
  return { ...emptyState(), ...obj, seq: { ...emptyState().seq, ...obj.seq } } as SandboxState;
}
