// Error taxonomy of the MINT client (contract "Errors") and the parser for every body shape MINT sends.
// Classification is by HTTP status, never by English text.

export interface MintApiErrorInit {
  status: number;
  code: string;
  /** The server's (or our) description, without the method/path prefix. */
  detail: string;
  method: string;
  path: string;
  requestId?: string;
  details?: unknown;
  mayHaveCommitted?: boolean;
  /** Overrides the composed one-line message. */
  message?: string;
}

export class MintApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly requestId?: string;
  readonly details?: unknown;
  readonly method: string;
  readonly path: string;
  /** A POST/PATCH failed after the request may have reached the server: look the object up before retrying. */
  readonly mayHaveCommitted: boolean;

  constructor(init: MintApiErrorInit) {
    super(init.message ?? composeMessage(init));
    this.name = new.target.name;
    this.status = init.status;
    this.code = init.code;
    this.requestId = init.requestId;
    this.details = init.details;
    this.method = init.method;
    this.path = init.path;
    this.mayHaveCommitted = init.mayHaveCommitted ?? false;
  }

  /** Safe to log: holds no request headers and therefore no token. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      status: this.status,
      code: this.code,
      message: this.message,
      requestId: this.requestId,
      details: this.details,
      method: this.method,
      path: this.path,
      mayHaveCommitted: this.mayHaveCommitted,
    };
  }
}

export class AuthenticationError extends MintApiError {}
export class PermissionError extends MintApiError {}
export class NotFoundError extends MintApiError {}
export class ConflictError extends MintApiError {}
export class ValidationError extends MintApiError {}
export class ServerError extends MintApiError {}

export class RateLimitError extends MintApiError {
  /** From Retry-After, when the server sent one. */
  readonly retryAfterMs?: number;
  constructor(init: MintApiErrorInit & { retryAfterMs?: number }) {
    super(init);
    this.retryAfterMs = init.retryAfterMs;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), retryAfterMs: this.retryAfterMs };
  }
}

export class ConnectionError extends MintApiError {
  readonly timedOut: boolean;
  constructor(init: Omit<MintApiErrorInit, 'status'> & { timedOut: boolean }) {
    super({ ...init, status: 0 });
    this.timedOut = init.timedOut;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), timedOut: this.timedOut };
  }
}

/**
 * MINT answered 3xx. Redirects are never followed: the login body or lab data would go wherever the
 * Location points. The message says which origin to configure instead.
 */
export class RedirectError extends MintApiError {
  /** The Location header, without query or fragment; undefined when the server sent none. */
  readonly location?: string;
  constructor(init: MintApiErrorInit & { location?: string }) {
    super(init);
    this.location = init.location;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), location: this.location };
  }
}

/** Raised before any request: bad configuration (no URL, service token, insecure transport, …). */
export class MintConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MintConfigError';
  }
}

function composeMessage(init: MintApiErrorInit): string {
  const statusPart = init.status > 0 ? `${init.status} ${init.code}` : init.code;
  const req = init.requestId ? ` (request ${init.requestId})` : '';
  return oneLine(`${init.method} ${init.path} → ${statusPart}: ${init.detail}${req}`);
}

export function oneLine(text: string, max = 500): string {
  // server text: control characters (terminal escapes, BEL) are shown, never acted on
  const flat = text
    .replace(/\s+/g, ' ')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
    .trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export interface ParsedErrorBody {
  code?: string;
  message?: string;
  requestId?: string;
  details?: unknown;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v : undefined;
}

/** `[{loc, msg}]` → "body.name: field required; query.limit: …". */
function validationItemsMessage(items: unknown[]): string {
  return items
    .map((item) => {
      if (!isRecord(item)) return String(item);
      const loc = Array.isArray(item.loc) ? item.loc.map(String).join('.') : undefined;
      const msg = str(item.msg) ?? str(item.message) ?? JSON.stringify(item);
      return loc ? `${loc}: ${msg}` : msg;
    })
    .join('; ');
}

/**
 * Reads the four body shapes of the contract: structured `{code, message, request_id, details}`,
 * plugin `{error: CODE, message}`, FastAPI `{detail: "text"}` and validation `{detail: [{loc, msg}]}`.
 * Also accepts a JSON string body and a FastAPI `detail` object.
 */
export function parseErrorBody(body: unknown): ParsedErrorBody {
  if (typeof body === 'string') {
    const text = body.trim();
    if (text.startsWith('{')) {
      try {
        return parseErrorBody(JSON.parse(text));
      } catch {
        // not JSON after all: fall through to plain text
      }
    }
    // HTML from a proxy is noise; a short plain-text body is worth showing.
    if (!text || text.startsWith('<') || text.length > 300) return {};
    return { message: text };
  }
  if (!isRecord(body)) return {};

  const out: ParsedErrorBody = {};
  out.requestId = str(body.request_id) ?? str(body.requestId);
  out.code = str(body.code);
  out.message = str(body.message);
  if (body.details !== undefined && body.details !== null) out.details = body.details;

  if (typeof body.error === 'string') {
    // plugin shape: `error` is the code; structured bodies may also carry it as a legacy alias
    out.code ??= str(body.error);
  } else if (isRecord(body.error)) {
    out.code ??= str(body.error.code);
    out.message ??= str(body.error.message);
  }

  const detail = body.detail;
  if (typeof detail === 'string') {
    out.message ??= str(detail);
  } else if (Array.isArray(detail)) {
    out.message ??= validationItemsMessage(detail);
    out.details ??= detail;
    out.code ??= 'validation.request';
  } else if (isRecord(detail)) {
    out.code ??= str(detail.code) ?? str(detail.error);
    out.message ??= str(detail.message) ?? str(detail.msg);
    if (detail.details !== undefined) out.details ??= detail.details;
  }
  return out;
}

export function defaultCode(status: number): string {
  switch (status) {
    case 400:
      return 'VALIDATION_ERROR';
    case 401:
      return 'auth.required';
    case 403:
      return 'PERMISSION_DENIED';
    case 404:
      return 'NOT_FOUND';
    case 409:
      return 'CONFLICT';
    case 422:
      return 'validation.request';
    case 429:
      return 'RATE_LIMITED';
    default:
      return status >= 500 ? 'SERVER_ERROR' : `HTTP_${status}`;
  }
}

const STATUS_TEXT: Record<number, string> = {
  400: 'bad request',
  401: 'not authenticated',
  403: 'permission denied',
  404: 'not found',
  409: 'conflict',
  422: 'invalid request',
  429: 'too many requests',
  500: 'internal server error',
  502: 'bad gateway',
  503: 'service unavailable',
  504: 'gateway timeout',
};

type ErrorClass = new (init: MintApiErrorInit) => MintApiError;

export function errorClassFor(status: number): ErrorClass {
  if (status === 401) return AuthenticationError;
  if (status === 403) return PermissionError;
  if (status === 404) return NotFoundError;
  if (status === 409) return ConflictError;
  if (status === 400 || status === 422) return ValidationError;
  if (status === 429) return RateLimitError;
  if (status >= 500) return ServerError;
  return MintApiError;
}

export interface HttpErrorInput {
  status: number;
  body: unknown;
  method: string;
  path: string;
  /** x-request-id response header. */
  headerRequestId?: string;
  mayHaveCommitted?: boolean;
  retryAfterMs?: number;
  /** Appended to the detail: what the client decided (e.g. why it did not retry). */
  note?: string;
  /** Strings that must never appear in the message or details (tokens, passwords). */
  secrets?: readonly string[];
}

/** Builds the typed error for an HTTP error response. */
export function errorFromResponse(input: HttpErrorInput): MintApiError {
  const parsed = parseErrorBody(input.body);
  const code = parsed.code ?? defaultCode(input.status);
  let detail = parsed.message ?? STATUS_TEXT[input.status] ?? `HTTP ${input.status}`;
  if (code === 'auth.second_factor_required') {
    detail =
      'this server enforces a second factor, so password login cannot work here; create a personal access token ' +
      '(mint_pat_…) in MINT and use it as MINT_TOKEN or --token';
  }
  if (input.note) detail += `; ${input.note}`;
  const secrets = input.secrets ?? [];
  const init = {
    status: input.status,
    code,
    detail: redact(detail, secrets),
    method: input.method,
    path: input.path,
    requestId: parsed.requestId ?? input.headerRequestId,
    details: redactDeep(parsed.details, secrets),
    mayHaveCommitted: input.mayHaveCommitted,
  };
  if (input.status === 429) return new RateLimitError({ ...init, retryAfterMs: input.retryAfterMs });
  return new (errorClassFor(input.status))(init);
}

export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join('***');
  }
  return out;
}

export function redactDeep(value: unknown, secrets: readonly string[]): unknown {
  if (value === undefined || secrets.length === 0) return value;
  const json = JSON.stringify(value);
  if (json === undefined) return undefined;
  const clean = redact(json, secrets);
  return clean === json ? value : JSON.parse(clean);
}
