// The MINT REST client: `new MintClient()` reads MINT_URL / MINT_TOKEN / the credentials file;
// resources hang off it (client.experiments, client.projects, …). Knows nothing about manifests.

import { ApiCore } from './core.js';
import { secondsFromEnv } from '../env.js';
import {
  credentialsPath,
  deleteCredentials,
  resolveConnection,
  updateStoredToken,
  type CredentialsWarning,
} from './credentials.js';
import {
  DEFAULT_USER_AGENT,
  createTransport,
  insecureHttpWarning,
  isInsecureRemote,
  type Transport,
} from './http.js';
import type { HealthInfo, PublicSetupConfig, TokenResponse, User, VerifyResponse } from './models.js';
import { AdminApi, UpdatesApi } from './resources/admin.js';
import { ExperimentsApi, ObjectsApi } from './resources/experiments.js';
import { PluginsApi } from './resources/plugins.js';
import { ProjectsApi } from './resources/projects.js';
import { DEFAULT_RETRY_POLICY, type RetryInfo, type RetryPolicy } from './retry.js';
import { ROUTES } from './routes.js';

export interface MintClientOptions {
  /** Origin, or origin ending in /api. Default: MINT_URL, then the credentials file. */
  baseUrl?: string;
  /** Session JWT or personal access token (mint_pat_…). Default: MINT_TOKEN, then the credentials file. */
  token?: string;
  /** With password: logs in on first use (and again if the session cannot be refreshed). */
  username?: string;
  password?: string;
  /** Deadline of each attempt (connect, headers and body); default MINT_PLATFORM_TIMEOUT seconds, else 30 s. */
  timeoutMs?: number;
  /** TCP connect timeout; default MINT_PLATFORM_CONNECT_TIMEOUT seconds, else 10 s. */
  connectTimeoutMs?: number;
  /** Retries after the first attempt; default 4. */
  retries?: number;
  /** Longest Retry-After the client waits for; a server asking for more is not retried. Default 120 000. */
  retryAfterCapMs?: number;
  /** No retry starts after this long since the first attempt; default 180 000. */
  retryBudgetMs?: number;
  /**
   * Send credentials over plain http to a non-loopback host (default: MINT_ALLOW_INSECURE_HTTP=1).
   * Warns through onWarning on every client built this way.
   */
  allowInsecureHttp?: boolean;
  /**
   * Extra trusted CA certificates (PEM text), for a lab's own CA, added to Node's roots. The CLI and
   * the Action use NODE_EXTRA_CA_CERTS instead (a file, read by Node at start-up).
   */
  ca?: string | string[];
  /** Receives warnings (insecure transport); default process.emitWarning. */
  onWarning?: (message: string) => void;
  /** Called before each retry. */
  onRetry?: (info: RetryInfo) => void;
  /** Environment to read MINT_* from; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Use this credentials file instead of the XDG/~/.config lookup. */
  credentialsFile?: string;
  /** Where a warning about the credentials file goes (e.g. readable by others); default a process warning. */
  onCredentialsWarning?: CredentialsWarning;
  userAgent?: string;
}

/** A credentialsFile option is honoured by pointing the XDG lookup at a private view of it. */
function envForCredentials(env: NodeJS.ProcessEnv, file?: string): NodeJS.ProcessEnv {
  if (!file) return env;
  return { ...env, MINT_CREDENTIALS_FILE: file };
}

export class MintClient {
  /** Origin without /api. */
  readonly baseUrl: string;
  readonly experiments: ExperimentsApi;
  readonly projects: ProjectsApi;
  readonly plugins: PluginsApi;
  /** Objects (files) plugins stored for experiments. */
  readonly objects: ObjectsApi;
  readonly admin: AdminApi;
  readonly updates: UpdatesApi;
  readonly auth: {
    login: (username: string, password: string) => Promise<TokenResponse>;
    refresh: () => Promise<TokenResponse>;
    verify: () => Promise<VerifyResponse>;
    /** Forgets the token locally; `forget: true` also removes it from the credentials file. */
    logout: (opts?: { forget?: boolean }) => void;
  };
  /** The whole-request timeout in ms (the engine waits a multiple of it for an ambiguous create). */
  readonly requestTimeoutMs: number;
  private readonly core: ApiCore;
  private readonly transport: Transport;
  private readonly env: NodeJS.ProcessEnv;

  constructor(opts: MintClientOptions = {}) {
    const env = envForCredentials(opts.env ?? process.env, opts.credentialsFile);
    this.env = env;
    const usePassword = Boolean(opts.username && opts.password && !opts.token);
    const conn = resolveConnection(
      { baseUrl: opts.baseUrl, token: opts.token, onWarning: opts.onCredentialsWarning },
      usePassword ? { ...env, MINT_TOKEN: undefined } : env,
    );
    this.baseUrl = conn.baseUrl;
    const timeoutMs = opts.timeoutMs ?? secondsFromEnv(env, 'MINT_PLATFORM_TIMEOUT', 30_000);
    this.requestTimeoutMs = timeoutMs;
    const connectTimeoutMs =
      opts.connectTimeoutMs ?? secondsFromEnv(env, 'MINT_PLATFORM_CONNECT_TIMEOUT', 10_000);
    const policy: RetryPolicy = {
      ...DEFAULT_RETRY_POLICY,
      retries: opts.retries ?? DEFAULT_RETRY_POLICY.retries,
      retryAfterCapMs: opts.retryAfterCapMs ?? DEFAULT_RETRY_POLICY.retryAfterCapMs,
      budgetMs: opts.retryBudgetMs ?? DEFAULT_RETRY_POLICY.budgetMs,
    };
    const allowInsecureHttp = opts.allowInsecureHttp ?? env.MINT_ALLOW_INSECURE_HTTP?.trim() === '1';
    if (allowInsecureHttp && isInsecureRemote(conn.baseUrl)) {
      const warn = opts.onWarning ?? ((m: string) => process.emitWarning(m, 'MintInsecureTransport'));
      warn(insecureHttpWarning(conn.baseUrl));
    }
    this.transport = createTransport({
      baseUrl: conn.baseUrl,
      timeoutMs,
      connectTimeoutMs,
      ca: opts.ca,
      userAgent: opts.userAgent ?? DEFAULT_USER_AGENT,
      policy,
      onRetry: opts.onRetry,
    });
    this.core = new ApiCore({
      baseUrl: conn.baseUrl,
      transport: this.transport,
      allowInsecureHttp,
      timeoutMs,
      connectTimeoutMs,
      token: usePassword ? undefined : conn.token,
      username: opts.username,
      password: opts.password,
      missingTokenHint:
        'pass --token or set MINT_TOKEN, or set MINT_USERNAME and MINT_PASSWORD, or run `mint-manifest auth login` ' +
        `once to store one in ${credentialsPath(env)}`,
      onTokenRenewed: conn.tokenFile
        ? (t) => writeBack(conn.tokenFile as string, conn.baseUrl, t)
        : undefined,
    });
    this.experiments = new ExperimentsApi(this.core);
    this.projects = new ProjectsApi(this.core);
    this.plugins = new PluginsApi(this.core);
    this.objects = new ObjectsApi(this.core);
    this.admin = new AdminApi(this.core);
    this.updates = new UpdatesApi(this.core);
    this.auth = {
      login: (username, password) => this.core.auth.login(username, password),
      refresh: () => this.core.auth.refresh(),
      verify: () => this.core.call<VerifyResponse>(ROUTES.authVerify),
      logout: (o) => this.logout(o),
    };
  }

  /** The token in use (after login/refresh), e.g. to store it with writeCredentials. */
  get token(): string | undefined {
    return this.core.auth.currentToken;
  }

  health(): Promise<HealthInfo> {
    return this.core.call<HealthInfo>(ROUTES.health);
  }

  /** The server's public setup (no token needed): whether auth is required, passkeys, … */
  publicConfig(): Promise<PublicSetupConfig> {
    return this.core.call<PublicSetupConfig>(ROUTES.setupPublicConfig);
  }

  whoami(): Promise<User> {
    return this.core.call<User>(ROUTES.usersMe);
  }

  login(username: string, password: string): Promise<TokenResponse> {
    return this.core.auth.login(username, password);
  }

  /** There is no server route: the token is dropped locally (and from the credentials file with `forget`). */
  logout(opts: { forget?: boolean } = {}): void {
    this.core.auth.clear();
    if (opts.forget) deleteCredentials(this.baseUrl, this.env);
  }

  /** Closes pooled keep-alive sockets and stops the refresh timer; the client stays usable. */
  close(): void {
    this.core.auth.dispose();
    this.transport.close();
  }
}

/** A session token read from a credentials file goes back there after a renewal, so the next run has it. */
function writeBack(file: string, url: string, token: string): void {
  try {
    updateStoredToken(file, url, token);
  } catch (err) {
    process.emitWarning(
      `could not store the refreshed MINT session in ${file} (${(err as Error).message}): log in again next time`,
      'MintCredentialsWarning',
    );
  }
}

export * from './errors.js';
export * from './credentials.js';
export * from './models.js';
export {
  ROUTES,
  buildPath,
  routeKey,
  type RouteDef,
  type RouteGrade,
  type RouteName,
  type HttpMethod,
} from './routes.js';
export {
  DEFAULT_RETRY_POLICY,
  backoffDelay,
  isRetryableFailure,
  mayHaveCommitted,
  parseRetryAfter,
  retryDelay,
  type RetryInfo,
  type RetryPolicy,
} from './retry.js';
export { DEFAULT_USER_AGENT, CLIENT_VERSION, normalizeBaseUrl, isLoopbackHost } from './http.js';
export { tokenKind, jwtExpiry, jwtIssuedAt, refreshDueAt, type TokenKind } from './auth.js';
export {
  unwrapList,
  paginate,
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  ListingInconsistentError,
  UnexpectedResponseError,
  type Page,
  type PaginateOptions,
  type ListOptions,
} from './pagination.js';
export {
  ExperimentsApi,
  DesignDataApi,
  AnalysisApi,
  ArtifactsApi,
  ObjectsApi,
  isNotFound,
  type ExperimentPage,
  type DesignDataExportFormat,
} from './resources/experiments.js';
export { ProjectsApi } from './resources/projects.js';
export { PluginsApi, PluginSettingsApi } from './resources/plugins.js';
export {
  AdminApi,
  UpdatesApi,
  type RoleInfo,
  type UserCreate,
  type UserUpdate,
  type PluginUpdateResult,
} from './resources/admin.js';
