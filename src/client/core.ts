// Sends one route: path building, auth header, 401 → single-flight renewal → one more try, and the
// translation of every axios failure into our error classes (never carrying headers or the token).

import { isAxiosError, type AxiosResponse } from 'axios';
import { AuthSession, tokenKind } from './auth.js';
import {
  AuthenticationError,
  ConnectionError,
  MintApiError,
  RedirectError,
  errorFromResponse,
  oneLine,
  redact,
} from './errors.js';
import { assertSecureTransport, type Transport } from './http.js';
import type { TokenResponse } from './models.js';
import {
  certificateProblem,
  errorCode,
  isTimeoutCode,
  mayHaveCommitted,
  parseRetryAfter,
  type CertificateProblem,
} from './retry.js';
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
      if (err instanceof AuthenticationError && tokenKind(token) === 'pat') throw rejectedToken(err);
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
      throw this.toMintError(err, def, path, token);
    }
    if (opts.responseType === 'bytes') return Buffer.from(response.data as ArrayBuffer) as T;
    return (response.status === 204 || response.data === '' ? undefined : response.data) as T;
  }

  private toMintError(err: unknown, def: RouteDef, path: string, token: string | undefined): Error {
    if (err instanceof MintApiError || !isAxiosError(err))
      return err instanceof Error ? err : new Error(String(err));
    const secrets = [...this.auth.secrets(), ...(token ? [token] : [])];
    const method = def.method;
    const res = err.response;
    if (res && res.status >= 300 && res.status < 400) {
      return redirectError(res.status, res.headers?.location, this.baseUrl + path, method, path, secrets);
    }
    if (res) {
      const header = res.headers?.['x-request-id'];
      const retryAfterMs = parseRetryAfter(res.headers?.['retry-after']);
      return errorFromResponse({
        status: res.status,
        body: decodeBinaryBody(res.data),
        method,
        path,
        headerRequestId: typeof header === 'string' ? header : undefined,
        mayHaveCommitted: mayHaveCommitted({ method, status: res.status, retrySafe: def.retrySafe }),
        retryAfterMs,
        note: this.retryAfterNote(res.headers?.['retry-after'], retryAfterMs),
        secrets,
      });
    }
    const code = errorCode(err) ?? 'NETWORK_ERROR';
    const committed = mayHaveCommitted({ method, code, retrySafe: def.retrySafe });
    let detail = this.connectionDetail(code, err.message);
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

  /** What went wrong on the connection, in words; the code itself is already in the message once. */
  private connectionDetail(code: string, message: string): string {
    const host = new URL(this.baseUrl).host;
    const problem = certificateProblem(code);
    if (problem) return certificateDetail(problem, host);
    if (code === 'MINT_CONNECT_TIMEOUT') {
      return `could not connect to ${this.baseUrl} within ${this.connectTimeoutMs} ms`;
    }
    if (isTimeoutCode(code)) return `no complete response within ${this.timeoutMs} ms`;
    if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
      return `cannot reach ${this.baseUrl}: check the MINT URL and that the server is up`;
    }
    if (code === 'ECONNRESET' || code === 'EPIPE') return `${host} closed the connection before answering`;
    const text = message.split(code).join('').replace(/\s+/g, ' ').trim();
    return text && !/^(read|write|connect)?$/i.test(text)
      ? `the connection to ${host} failed: ${text}`
      : `the connection to ${host} failed`;
  }

  /** Quotes a Retry-After the client did not wait for, so the user knows when to come back. */
  private retryAfterNote(raw: unknown, retryAfterMs: number | undefined): string | undefined {
    if (retryAfterMs === undefined) return undefined;
    const value = Array.isArray(raw) ? String(raw[0]) : String(raw);
    const asked = `MINT asked to wait ${formatSeconds(retryAfterMs)} (Retry-After: ${value.trim()})`;
    const cap = this.transport.policy.retryAfterCapMs;
    if (retryAfterMs > cap) {
      return `${asked}, longer than the ${formatSeconds(cap)} this client waits, so it was not retried: run again after that`;
    }
    return asked;
  }
}

/** A personal access token answered 401: it cannot be refreshed, and "log in again" would not help. */
function rejectedToken(err: AuthenticationError): AuthenticationError {
  if (err.code === 'auth.second_factor_required') return err;
  return new AuthenticationError({
    status: err.status,
    code: err.code,
    detail:
      'MINT rejected the token: this personal access token (mint_pat_…) is wrong, expired or revoked; ' +
      'create a new one in MINT',
    method: err.method,
    path: err.path,
    requestId: err.requestId,
    details: err.details,
  });
}

function formatSeconds(ms: number): string {
  const s = Math.ceil(ms / 1000);
  return s >= 120 ? `${s} s (${Math.round(s / 60)} min)` : `${s} s`;
}

const CERTIFICATE_TEXT: Record<CertificateProblem, string> = {
  untrusted:
    'is not signed by a certificate authority this machine trusts: if your lab uses its own CA, point ' +
    'NODE_EXTRA_CA_CERTS at its PEM file',
  expired: 'has expired: the server needs a renewed certificate (NODE_EXTRA_CA_CERTS cannot fix this)',
  'not-yet-valid':
    "is not valid yet: check this machine's clock and the server's certificate (NODE_EXTRA_CA_CERTS cannot fix this)",
  'wrong-name':
    'was not issued for this host name: use the name on the certificate in the MINT URL (NODE_EXTRA_CA_CERTS cannot fix this)',
  invalid: 'was rejected: ask the server admin to check it; a lab CA can be trusted with NODE_EXTRA_CA_CERTS',
};

function certificateDetail(problem: CertificateProblem, host: string): string {
  return `the TLS certificate of ${host} ${CERTIFICATE_TEXT[problem]}; nothing was sent`;
}

/** A 3xx: name where MINT points and what to configure instead, without following it. */
function redirectError(
  status: number,
  rawLocation: unknown,
  requestUrl: string,
  method: string,
  path: string,
  secrets: readonly string[],
): RedirectError {
  const text = typeof rawLocation === 'string' ? rawLocation.trim() : '';
  let target: URL | undefined;
  try {
    target = text ? new URL(text, requestUrl) : undefined;
  } catch {
    target = undefined;
  }
  if (!target || (target.protocol !== 'http:' && target.protocol !== 'https:')) {
    return new RedirectError({
      status,
      code: `HTTP_${status}`,
      detail: 'redirect',
      method,
      path,
      message: `MINT answered ${status} to ${method} ${path} without a usable Location: check that MINT_URL is the MINT server's origin`,
    });
  }
  // query and fragment may carry one-time codes; the origin and path are what the user needs
  const location = redact(`${target.origin}${target.pathname}`, secrets);
  const origin = redact(suggestedBase(target, path), secrets);
  return new RedirectError({
    status,
    code: `HTTP_${status}`,
    detail: `redirect to ${location}`,
    method,
    path,
    location,
    message: oneLine(
      `MINT answered ${status} → ${location}: set MINT_URL to that origin (${origin}); redirects are not followed, so nothing was sent there`,
    ),
  });
}

/** The origin plus any path prefix before the route, e.g. https://new.example/mint for …/mint/api/x. */
function suggestedBase(target: URL, requestPath: string): string {
  const route = requestPath.split('?')[0];
  const prefix = target.pathname.endsWith(route) ? target.pathname.slice(0, -route.length) : '';
  return `${target.origin}${prefix.replace(/\/+$/, '')}`;
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
