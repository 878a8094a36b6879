// Sends one route: path building, auth header, 401 → single-flight renewal → one more try, and the
// translation of every axios failure into our error classes (never carrying headers or the token).

import { isAxiosError, type AxiosResponse } from 'axios';
import { AuthSession } from './auth.js';
import {
  AuthenticationError,
  ConnectionError,
  MintApiError,
  errorFromResponse,
  oneLine,
  redact,
} from './errors.js';
import { assertSecureTransport, type Transport } from './http.js';
import type { TokenResponse } from './models.js';
import { errorCode, isTimeoutCode, mayHaveCommitted, parseRetryAfter } from './retry.js';
import { ROUTES, buildPath, type PathParams, type RouteDef } from './routes.js';

export type QueryValue = string | number | boolean | null | undefined;

export interface CallOptions {
  params?: PathParams;
  query?: object;
  body?: unknown;
  headers?: Record<string, string>;
  /** 'text' returns the raw body (CSV export); 'bytes' a Buffer (objects). */
  responseType?: 'json' | 'text' | 'bytes';
}

export interface CoreOptions {
  baseUrl: string;
  transport: Transport;
  allowInsecureHttp: boolean;
  timeoutMs: number;
  connectTimeoutMs: number;
  token?: string;
  username?: string;
  password?: string;
  missingTokenHint: string;
  /** Called with the new token after each renewal (refresh or login again). */
  onTokenRenewed?: (token: string) => void;
}

export class ApiCore {
  readonly baseUrl: string;
  readonly auth: AuthSession;
  private readonly transport: Transport;
  private readonly allowInsecureHttp: boolean;
  private readonly timeoutMs: number;
  private readonly connectTimeoutMs: number;

  constructor(opts: CoreOptions) {
    this.baseUrl = opts.baseUrl;
    this.transport = opts.transport;
    this.allowInsecureHttp = opts.allowInsecureHttp;
    this.timeoutMs = opts.timeoutMs;
    this.connectTimeoutMs = opts.connectTimeoutMs;
    this.auth = new AuthSession(
      {
        login: (username, password) =>
          this.send<TokenResponse>(ROUTES.authLogin, buildPath(ROUTES.authLogin), {
            body: { username, password },
          }),
        refresh: (token) =>
          this.send<TokenResponse>(ROUTES.authRefresh, buildPath(ROUTES.authRefresh), { body: {} }, token),
      },
      {
        token: opts.token,
        username: opts.username,
        password: opts.password,
        onRenewed: opts.onTokenRenewed,
      },
      opts.missingTokenHint,
    );
  }

  async call<T>(def: RouteDef, opts: CallOptions = {}): Promise<T> {
    const path = buildPath(def, opts.params);
    if (def.public) return this.send<T>(def, path, opts);
    const token = await this.auth.ensureToken();
    try {
      return await this.send<T>(def, path, opts, token);
    } catch (err) {
      if (
        err instanceof AuthenticationError &&
        err.code !== 'auth.second_factor_required' &&
        this.auth.canRenew(token)
      ) {
        const fresh = await this.auth.renew(token);
        // a second 401 surfaces as it is
        return await this.send<T>(def, path, opts, fresh);
      }
      throw err;
    }
  }

  private async send<T>(def: RouteDef, path: string, opts: CallOptions, token?: string): Promise<T> {
    const carriesSecret = token !== undefined || def === ROUTES.authLogin;
    if (carriesSecret) assertSecureTransport(this.baseUrl, this.allowInsecureHttp);
    const headers: Record<string, string> = { ...opts.headers };
    if (token) headers.Authorization = `Bearer ${token}`;
    let response: AxiosResponse<T>;
    try {
      response = await this.transport.axios.request<T>({
        method: def.method,
        url: this.baseUrl + path,
        params: cleanQuery(opts.query),
        data: opts.body,
        headers,
        responseType: RESPONSE_TYPES[opts.responseType ?? 'json'],
        mint: { path, retrySafe: def.retrySafe },
      });
    } catch (err) {
      throw this.toMintError(err, def.method, path, token);
    }
    if (opts.responseType === 'bytes') return Buffer.from(response.data as ArrayBuffer) as T;
    return (response.status === 204 || response.data === '' ? undefined : response.data) as T;
  }

  private toMintError(err: unknown, method: string, path: string, token: string | undefined): Error {
    if (err instanceof MintApiError || !isAxiosError(err))
      return err instanceof Error ? err : new Error(String(err));
    const secrets = [...this.auth.secrets(), ...(token ? [token] : [])];
    const res = err.response;
    if (res) {
      const header = res.headers?.['x-request-id'];
      return errorFromResponse({
        status: res.status,
        body: decodeBinaryBody(res.data),
        method,
        path,
        headerRequestId: typeof header === 'string' ? header : undefined,
        mayHaveCommitted: mayHaveCommitted({ method, status: res.status }),
        retryAfterMs: parseRetryAfter(res.headers?.['retry-after']),
        secrets,
      });
    }
    const code = errorCode(err) ?? 'NETWORK_ERROR';
    const committed = mayHaveCommitted({ method, code });
    let detail: string;
    if (code === 'MINT_CONNECT_TIMEOUT') {
      detail = `could not connect to ${this.baseUrl} within ${this.connectTimeoutMs} ms`;
    } else if (isTimeoutCode(code)) {
      detail = `no response within ${this.timeoutMs} ms`;
    } else if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
      detail = `cannot reach ${this.baseUrl} (${code}): check the MINT URL and that the server is up`;
    } else {
      detail = `connection failed (${code}): ${err.message || 'no details'}`;
    }
    if (committed) detail += '; the write may have been stored: look the object up before sending it again';
    return new ConnectionError({
      code,
      detail: oneLine(redact(detail, secrets)),
      method,
      path,
      timedOut: isTimeoutCode(code),
      mayHaveCommitted: committed,
    });
  }
}

/** An error answering a bytes request arrives as an ArrayBuffer: read it as the JSON it usually is. */
function decodeBinaryBody(data: unknown): unknown {
  if (!(data instanceof ArrayBuffer) && !Buffer.isBuffer(data)) return data;
  const text = Buffer.from(data as ArrayBuffer).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

const RESPONSE_TYPES = { json: 'json', text: 'text', bytes: 'arraybuffer' } as const;

/** Drops undefined/null so absent filters are not sent as empty strings. */
function cleanQuery(query: object | undefined): Record<string, QueryValue> | undefined {
  if (!query) return undefined;
  const out: Record<string, QueryValue> = {};
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== '') out[k] = v as QueryValue;
  }
  return out;
}
