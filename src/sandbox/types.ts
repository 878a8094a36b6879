// Public types of the sandbox (src/sandbox/index.ts re-exports them).

export type SandboxRole = 'admin' | 'member';

export interface SandboxUser {
  username: string;
  password: string;
  role?: SandboxRole;
  /** Login with a password answers 401 auth.second_factor_required (PATs still work). */
  secondFactor?: boolean;
  email?: string;
}

export interface FaultRule {
  /** HTTP method; absent = every method. */
  method?: string;
  /** Route template as in SandboxStats.byRoute without the method (`/api/experiments/{id}`), or '*'. */
  route?: string;
  error500?: number;
  error503?: number;
  rateLimit?: number;
  retryAfterSeconds?: number;
  /** Destroy the socket without a response. */
  reset?: number;
  /** Added delay before the request is handled (always, when the rule matches). */
  latencyMs?: number;
  /** Perform the request (the write is stored), then hold the response for stallMs. */
  commitThenStall?: number;
  /** Default 30 000. */
  stallMs?: number;
  /**
   * Late commit: the write is not stored now; the client gets `lateCommitReply` and the write is
   * stored `commitDelayMs` later — after the client gave up (a proxy timed out, a queue was slow).
   */
  lateCommit?: number;
  /**
   * How a late commit answers: 'reset' (default: the connection drops), 'stall' (held stallMs, then
   * dropped), 'proxyError' (502 from a proxy), 'okWithoutId' (201 whose body has no id).
   */
  lateCommitReply?: 'reset' | 'stall' | 'proxyError' | 'okWithoutId';
  /** Default 2000. */
  commitDelayMs?: number;
  /** List pages carry at most this many items, whatever `limit` asked (a server-side page cap). */
  pageCap?: number;
  /** List pages carry no `total`. */
  omitTotal?: boolean;
  /** Inconsistent listing: a page after the first starts one item early, repeating an id. */
  repeatIds?: number;
  /** Inconsistent listing: a page reports a total one higher than the truth. */
  shiftTotal?: number;
}

export interface FaultConfig {
  /** Seed of the PRNG; the same seed and the same request sequence give the same faults. Default 1. */
  seed?: number;
  rules: FaultRule[];
}

export interface SandboxOptions {
  /** 0 = any free port (default). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Persist state to this JSON file (atomic writes); in memory when absent. */
  dataFile?: string;
  users?: SandboxUser[];
  /** Lifetime of session tokens from login/refresh. Default 3600. */
  sessionTtlSeconds?: number;
  /** How long after expiry a session may still be refreshed. Default 86 400; 0 = never. */
  refreshWindowSeconds?: number;
  faults?: FaultConfig;
  /** Emit FastAPI `{detail}` / plugin `{error, message}` error bodies instead of the structured shape. */
  legacyErrors?: boolean;
  /** Do not report unexpected handler errors on stderr. */
  quiet?: boolean;
  /** Use this exact string as the admin PAT instead of a random one. */
  adminToken?: string;
  /** Requests per window per IP on /api/auth*; default { max: 20, windowSeconds: 60 }; false = off. */
  authRateLimit?: { max: number; windowSeconds: number } | false;
  /** Clock in epoch ms, for tests that need to move time (session expiry). Default Date.now. */
  now?: () => number;
  /** Entries kept in the request log ring buffer. Default 1000. */
  logSize?: number;
  /**
   * Serve only what the contract confirms: routes graded I answer 404 (except the few with no
   * alternative, see strictRoutes), I list filters (project_id, mine, created_before, created_by)
   * are ignored, and an expired session cannot be refreshed (refreshWindowSeconds defaults to 0).
   */
  strict?: boolean;
}

/** An analysis artifact as a plugin would write it (Sandbox.addArtifact). */
export interface ArtifactInput {
  experimentId: number;
  pluginId: string;
  artifactKey: string;
  displayName?: string;
  note?: string | null;
  /** The artifact's result payload; default {}. */
  result?: Record<string, unknown>;
  /** Objects (files) stored with it: object key → bytes. */
  objects?: Record<string, { content: Buffer | string; contentType?: string }>;
}

export interface SandboxStats {
  reads: number;
  writes: number;
  total: number;
  /** Key "METHOD /api/route/template", e.g. "POST /api/experiments". */
  byRoute: Record<string, number>;
}

export interface RequestLogEntry {
  time: string;
  method: string;
  /** Path with query string. */
  path: string;
  /** Route template, or null when no route matched. */
  route: string | null;
  status: number;
  durationMs: number;
  requestId: string;
  user?: string;
  /** Injected fault, when one fired. */
  fault?: string;
}

export interface CreateTokenOptions {
  username: string;
  kind?: 'pat' | 'session';
  readOnly?: boolean;
  ttlSeconds?: number;
}

export interface Sandbox {
  /** Origin like http://127.0.0.1:PORT (no /api). */
  url: string;
  /** A mint_pat_ personal access token of the admin user. */
  adminToken: string;
  close(): Promise<void>;
  setFaults(cfg: FaultConfig): void;
  stats(): SandboxStats;
  resetStats(): void;
  createToken(opts: CreateTokenOptions): string;
  /** Stores an analysis artifact (and its objects) the way a plugin would; returns its id. */
  addArtifact(artifact: ArtifactInput): Promise<number>;
  /** The request log, oldest first. */
  log(): RequestLogEntry[];
}
