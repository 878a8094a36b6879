// Token kinds, login on first use, refresh ahead of expiry, and the single-flight renewal of a
// session that was refused anyway. A renewal that failed is remembered for the run.

import { AuthenticationError, MintApiError, MintConfigError } from './errors.js';
import type { TokenResponse } from './models.js';

export type TokenKind = 'pat' | 'service' | 'session';

export const PAT_PREFIX = 'mint_pat_';
export const SERVICE_PREFIX = 'mint_svc_';

/** MINT's SDK refreshes this long before expiry. */
export const REFRESH_MARGIN_MS = 5 * 60_000;
/** Below this lifetime the refresh happens at REFRESH_FRACTION of it instead. */
export const SHORT_LIFETIME_MS = 10 * 60_000;
export const REFRESH_FRACTION = 0.8;

export function tokenKind(token: string): TokenKind {
  if (token.startsWith(PAT_PREFIX)) return 'pat';
  if (token.startsWith(SERVICE_PREFIX)) return 'service';
  return 'session';
}

export function assertUsableToken(token: string): void {
  if (tokenKind(token) === 'service') {
    throw new MintConfigError(
      'the MINT token is a service token (mint_svc_…), and service tokens are not accepted on /api routes: ' +
        'create a personal access token (mint_pat_…) in MINT and use it instead',
    );
  }
}

/** A NumericDate claim (seconds) in epoch ms; a value this large can only be milliseconds already. */
function claimMs(v: unknown): number | undefined {
  if (typeof v !== 'number' || !Number.isFinite(v)) return undefined;
  return v > 1e11 ? v : v * 1000;
}

function jwtClaims(token: string): { exp?: unknown; iat?: unknown } | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as unknown;
    return typeof claims === 'object' && claims !== null ? claims : undefined;
  } catch {
    return undefined;
  }
}

/** The `exp` claim of a JWT in epoch ms, or undefined when the token is no readable JWT. */
export function jwtExpiry(token: string): number | undefined {
  return claimMs(jwtClaims(token)?.exp);
}

/** The `iat` claim of a JWT in epoch ms, when present. */
export function jwtIssuedAt(token: string): number | undefined {
  return claimMs(jwtClaims(token)?.iat);
}

/**
 * When to refresh a session that expires at `expiresAt` and was issued at `issuedAt`: 5 minutes
 * ahead, or at 80 % of its lifetime when that lifetime is under 10 minutes.
 */
export function refreshDueAt(issuedAt: number, expiresAt: number): number {
  const lifetime = expiresAt - issuedAt;
  if (lifetime < SHORT_LIFETIME_MS) return issuedAt + Math.max(0, lifetime) * REFRESH_FRACTION;
  return expiresAt - REFRESH_MARGIN_MS;
}

/** Sends login/refresh without going through the auth handling itself. */
export interface AuthTransport {
  login(username: string, password: string): Promise<TokenResponse>;
  refresh(token: string): Promise<TokenResponse>;
}

export interface AuthInit {
  token?: string;
  username?: string;
  password?: string;
  /** Called after every renewal (refresh or login again) with the new token. */
  onRenewed?: (token: string) => void;
  /** Clock in epoch ms; default Date.now. */
  now?: () => number;
}

interface SessionTimes {
  issuedAt: number;
  expiresAt: number;
  dueAt: number;
}

export class AuthSession {
  private token?: string;
  private username?: string;
  private password?: string;
  private times?: SessionTimes;
  private renewing?: Promise<string>;
  private loggingIn?: Promise<string>;
  /** Set once the server refused a refresh: no further refresh calls this run. */
  private refreshRefused = false;
  /** Set once a whole renewal failed: every later renewal fails the same way without a call. */
  private renewalFailure?: Error;
  private timer?: NodeJS.Timeout;
  private readonly onRenewed?: (token: string) => void;
  private readonly now: () => number;

  constructor(
    private readonly transport: AuthTransport,
    init: AuthInit,
    private readonly missingTokenHint: string,
  ) {
    this.now = init.now ?? Date.now;
    this.onRenewed = init.onRenewed;
    if (init.token) this.adopt(init.token);
    this.username = init.username;
    this.password = init.password;
  }

  get currentToken(): string | undefined {
    return this.token;
  }

  get currentUsername(): string | undefined {
    return this.username;
  }

  /** Epoch ms at which the current session token expires, when known. */
  get expiresAt(): number | undefined {
    return this.times?.expiresAt;
  }

  /** Epoch ms at which the current session token will be refreshed, when known. */
  get refreshAt(): number | undefined {
    return this.times?.dueAt;
  }

  /** Secrets to scrub from any text we produce. */
  secrets(): string[] {
    return [this.token, this.password].filter((s): s is string => typeof s === 'string' && s !== '');
  }

  /** Takes a token from outside (argument, env, file); its expiry comes from its `exp` claim. */
  setToken(token: string | undefined): void {
    if (token === undefined) {
      this.token = undefined;
      this.schedule(undefined);
      return;
    }
    this.adopt(token);
  }

  clear(): void {
    this.token = undefined;
    this.username = undefined;
    this.password = undefined;
    this.schedule(undefined);
  }

  /** Stops the refresh timer (the session stays usable; the next request refreshes lazily). */
  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /**
   * The token to send: logs in first when only a username and password are known, and renews a
   * session whose refresh time has come (one renewal shared by every caller).
   */
  async ensureToken(): Promise<string> {
    if (this.token) {
      const times = this.times;
      if (times && this.now() >= times.dueAt && !this.renewalFailure) {
        const current = this.token;
        try {
          return await this.renew(current);
        } catch (err) {
          // a token that has not expired yet is still worth sending
          if (this.token === current && this.now() < times.expiresAt) return current;
          throw err;
        }
      }
      return this.token;
    }
    // a login or renewal the server refused is not asked again in this run
    if (this.renewalFailure) throw this.renewalFailure;
    if (this.username && this.password) return this.loginSingleFlight();
    throw new MintConfigError(`no MINT token: ${this.missingTokenHint}`);
  }

  async login(username: string, password: string): Promise<TokenResponse> {
    this.username = username;
    this.password = password;
    const res = await this.transport.login(username, password);
    this.accept(res);
    this.renewalFailure = undefined;
    return res;
  }

  private loginSingleFlight(): Promise<string> {
    this.loggingIn ??= (async () => {
      const res = await this.transport.login(this.username as string, this.password as string);
      this.accept(res);
      return res.access_token;
    })()
      .catch((err: unknown) => {
        // wrong credentials stay wrong: remember it rather than asking the rate-limited endpoint again
        if (err instanceof AuthenticationError || (err instanceof MintApiError && err.status === 403))
          this.renewalFailure = err;
        throw err;
      })
      .finally(() => {
        this.loggingIn = undefined;
      });
    return this.loggingIn;
  }

  /** Whether a 401 for `token` can be cured by refreshing or logging in again. */
  canRenew(token: string): boolean {
    return tokenKind(token) === 'session' || Boolean(this.username && this.password);
  }

  /**
   * One renewal for every request that holds `failedToken`: the first caller renews, the others
   * wait for it; a caller whose token was already replaced gets the new one at once; after a
   * renewal failed, every later call fails the same way without asking the server again.
   */
  renew(failedToken: string): Promise<string> {
    if (this.token && this.token !== failedToken) return Promise.resolve(this.token);
    if (this.renewalFailure) return Promise.reject(this.renewalFailure);
    this.renewing ??= this.doRenew(failedToken)
      .then((token) => {
        this.onRenewed?.(token);
        return token;
      })
      .catch((err: unknown) => {
        this.renewalFailure = err instanceof Error ? err : new Error(String(err));
        this.schedule(undefined);
        throw err;
      })
      .finally(() => {
        this.renewing = undefined;
      });
    return this.renewing;
  }

  /** An explicit refresh of the current session token. */
  async refresh(): Promise<TokenResponse> {
    const token = await this.ensureToken();
    if (tokenKind(token) === 'pat') {
      throw new MintConfigError(
        'personal access tokens (mint_pat_…) cannot be refreshed: they stay valid until revoked',
      );
    }
    const res = await this.transport.refresh(token);
    this.accept(res);
    return res;
  }

  /** A token from outside: session expiry from its exp claim (none for PATs or opaque tokens). */
  private adopt(token: string): void {
    assertUsableToken(token);
    this.token = token;
    const exp = tokenKind(token) === 'session' ? jwtExpiry(token) : undefined;
    // the lifetime runs from the iat claim; without one, from now, as if just received
    const iat = exp === undefined ? undefined : jwtIssuedAt(token);
    const issuedAt = iat !== undefined && iat < (exp as number) ? Math.min(iat, this.now()) : this.now();
    this.schedule(exp === undefined ? undefined : this.timesFor(issuedAt, exp));
  }

  /** A login or refresh answer: expiry from expires_in, else from the token's exp claim. */
  private accept(res: TokenResponse): void {
    assertUsableToken(res.access_token);
    this.token = res.access_token;
    const now = this.now();
    const fromAnswer =
      typeof res.expires_in === 'number' && res.expires_in > 0 ? now + res.expires_in * 1000 : undefined;
    const exp =
      fromAnswer ?? (tokenKind(res.access_token) === 'session' ? jwtExpiry(res.access_token) : undefined);
    this.schedule(exp === undefined ? undefined : this.timesFor(now, exp));
  }

  private timesFor(issuedAt: number, expiresAt: number): SessionTimes {
    return { issuedAt, expiresAt, dueAt: refreshDueAt(issuedAt, expiresAt) };
  }

  /** Arms an unref'd timer for the refresh, so an idle session is renewed before it expires. */
  private schedule(times: SessionTimes | undefined): void {
    this.times = times;
    this.dispose();
    if (!times || !this.canRefreshAhead()) return;
    const delay = Math.max(0, times.dueAt - this.now());
    // setTimeout holds at most ~24.8 days; a later refresh is found by the lazy check instead
    if (delay > 2_147_000_000) return;
    const token = this.token;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (token && this.token === token) this.renew(token).catch(() => undefined);
    }, delay);
    this.timer.unref();
  }

  private canRefreshAhead(): boolean {
    return !this.renewalFailure && (!this.refreshRefused || Boolean(this.username && this.password));
  }

  private async doRenew(failedToken: string): Promise<string> {
    let refreshError: unknown;
    const expired = this.times !== undefined && this.now() >= this.times.expiresAt;
    // never refresh with a token known to have expired: MINT refuses it
    if (tokenKind(failedToken) === 'session' && !this.refreshRefused && !expired) {
      try {
        const res = await this.transport.refresh(failedToken);
        this.accept(res);
        return res.access_token;
      } catch (err) {
        if (!(err instanceof MintApiError) || !(err instanceof AuthenticationError || err.status === 403))
          throw err;
        this.refreshRefused = true;
        refreshError = err;
      }
    }
    if (this.username && this.password) {
      this.token = undefined;
      return this.loginSingleFlight();
    }
    const base = refreshError instanceof MintApiError ? refreshError : undefined;
    throw new AuthenticationError({
      status: 401,
      code: base?.code ?? 'auth.required',
      detail:
        'MINT rejected the token and it cannot be refreshed: log in again (`mint-manifest auth login`) or use ' +
        'a personal access token (mint_pat_…)',
      method: base?.method ?? 'POST',
      path: base?.path ?? '/api/auth/refresh',
      requestId: base?.requestId,
    });
  }
}
