// Token kinds, login on first use, and the single-flight renewal of an expired session.

import { AuthenticationError, MintApiError, MintConfigError } from './errors.js';
import type { TokenResponse } from './models.js';

export type TokenKind = 'pat' | 'service' | 'session';

export const PAT_PREFIX = 'mint_pat_';
export const SERVICE_PREFIX = 'mint_svc_';

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

/** Sends login/refresh without going through the auth handling itself. */
export interface AuthTransport {
  login(username: string, password: string): Promise<TokenResponse>;
  refresh(token: string): Promise<TokenResponse>;
}

export class AuthSession {
  private token?: string;
  private username?: string;
  private password?: string;
  private renewing?: Promise<string>;
  private loggingIn?: Promise<string>;

  constructor(
    private readonly transport: AuthTransport,
    init: { token?: string; username?: string; password?: string },
    private readonly missingTokenHint: string,
  ) {
    if (init.token) this.setToken(init.token);
    this.username = init.username;
    this.password = init.password;
  }

  get currentToken(): string | undefined {
    return this.token;
  }

  get currentUsername(): string | undefined {
    return this.username;
  }

  /** Secrets to scrub from any text we produce. */
  secrets(): string[] {
    return [this.token, this.password].filter((s): s is string => typeof s === 'string' && s !== '');
  }

  setToken(token: string | undefined): void {
    if (token !== undefined) assertUsableToken(token);
    this.token = token;
  }

  clear(): void {
    this.token = undefined;
    this.username = undefined;
    this.password = undefined;
  }

  /** The token to send; logs in first when only a username and password are known. */
  async ensureToken(): Promise<string> {
    if (this.token) return this.token;
    if (this.username && this.password) return this.loginSingleFlight();
    throw new MintConfigError(`no MINT token: ${this.missingTokenHint}`);
  }

  async login(username: string, password: string): Promise<TokenResponse> {
    this.username = username;
    this.password = password;
    const res = await this.transport.login(username, password);
    this.setToken(res.access_token);
    return res;
  }

  private loginSingleFlight(): Promise<string> {
    this.loggingIn ??= (async () => {
      const res = await this.transport.login(this.username as string, this.password as string);
      this.setToken(res.access_token);
      return res.access_token;
    })().finally(() => {
      this.loggingIn = undefined;
    });
    return this.loggingIn;
  }

  /** Whether a 401 for `token` can be cured by refreshing or logging in again. */
  canRenew(token: string): boolean {
    return tokenKind(token) === 'session' || Boolean(this.username && this.password);
  }

  /**
   * One renewal for every request that failed with `failedToken`: the first caller refreshes,
   * the others wait for it; a caller whose token was already replaced gets the new one at once.
   */
  renew(failedToken: string): Promise<string> {
    if (this.token && this.token !== failedToken) return Promise.resolve(this.token);
    this.renewing ??= this.doRenew(failedToken).finally(() => {
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
    this.setToken(res.access_token);
    return res;
  }

  private async doRenew(failedToken: string): Promise<string> {
    let refreshError: unknown;
    if (tokenKind(failedToken) === 'session') {
      try {
        const res = await this.transport.refresh(failedToken);
        this.setToken(res.access_token);
        return res.access_token;
      } catch (err) {
        if (!(err instanceof MintApiError) || !(err instanceof AuthenticationError || err.status === 403))
          throw err;
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
