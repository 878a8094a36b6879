// Request/response plumbing: the error type handlers throw, the two error body dialects, JSON
// bodies, and a segment router built from the route table.
import type { IncomingMessage } from 'node:http';
import type { RouteSpec } from './routes.js';

export interface ValidationIssue {
  loc: (string | number)[];
  msg: string;
  type: string;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

export const badRequest = (message: string, details?: unknown): HttpError =>
  new HttpError(400, 'VALIDATION_ERROR', message, details);
export const notFound = (message: string): HttpError => new HttpError(404, 'NOT_FOUND', message);
export const forbidden = (message: string): HttpError => new HttpError(403, 'PERMISSION_DENIED', message);
export const conflict = (message: string, details?: unknown): HttpError =>
  new HttpError(409, 'CONFLICT', message, details);

/** 422 request validation, FastAPI style: one issue per bad field. */
export function invalid(issues: ValidationIssue[]): HttpError {
  const first = issues[0];
  const where = first ? first.loc.join('.') : 'request';
  const message = `Request validation failed at ${where}: ${first ? first.msg : 'invalid request'}`;
  return new HttpError(422, 'validation.request', message, issues);
}

export interface Reply {
  status: number;
  body?: unknown;
  /** Sent as-is instead of JSON (export as CSV, object bytes). */
  raw?: string | Buffer;
  headers?: Record<string, string>;
}

export const json = (status: number, body: unknown): Reply => ({ status, body });
export const noContent = (): Reply => ({ status: 204 });

export type ErrorDialect = 'structured' | 'fastapi' | 'plugin';

export function errorReply(err: HttpError, dialect: ErrorDialect, requestId: string): Reply {
  const headers = { ...err.headers };
  if (err.status === 401) headers['www-authenticate'] = 'Bearer';
  let body: unknown;
  if (dialect === 'fastapi') {
    body =
      err.status === 422 && Array.isArray(err.details) ? { detail: err.details } : { detail: err.message };
  } else if (dialect === 'plugin') {
    body = { error: err.code, message: err.message, detail: err.message, details: err.details ?? null };
  } else {
    // `detail` (a string) is what MINT's SDK shows users; the structured fields are for programs
    body = {
      code: err.code,
      message: err.message,
      detail: err.message,
      status: err.status,
      request_id: requestId,
      details: err.details ?? null,
    };
  }
  return { status: err.status, body, headers };
}

const MAX_BODY_BYTES = 16 * 1024 * 1024;

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, 'PAYLOAD_TOO_LARGE', `Request body over ${MAX_BODY_BYTES} bytes`));
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () =>
      resolve(chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8')),
    );
    req.on('error', reject);
  });
}

export function parseBody(text: string, contentType: string | undefined): unknown {
  if (text.length === 0) return undefined;
  if (contentType?.startsWith('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(text));
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw invalid([
      { loc: ['body'], msg: `JSON decode error: ${(e as Error).message}`, type: 'json_invalid' },
    ]);
  }
}

interface CompiledRoute<T> {
  spec: RouteSpec;
  segments: string[];
  literalCount: number;
  value: T;
}

export interface RouteMatch<T> {
  spec: RouteSpec;
  params: Record<string, string>;
  value: T;
}

export type MatchResult<T> =
  { kind: 'ok'; match: RouteMatch<T> } | { kind: 'method'; allow: string[] } | { kind: 'none' };

export class Router<T> {
  private readonly byLength = new Map<number, CompiledRoute<T>[]>();
  /** Routes whose last parameter takes the rest of the path (`spec.rest`). */
  private readonly restRoutes: CompiledRoute<T>[] = [];

  add(spec: RouteSpec, value: T): void {
    const segments = spec.path.split('/').filter(Boolean);
    const route = { spec, segments, literalCount: segments.filter((s) => !s.startsWith('{')).length, value };
    if (spec.rest) {
      this.restRoutes.push(route);
      return;
    }
    const list = this.byLength.get(segments.length) ?? [];
    list.push(route);
    // Most literal segments first, so `/experiments/next-seq` beats `/experiments/{id}`.
    list.sort((a, b) => b.literalCount - a.literalCount);
    this.byLength.set(segments.length, list);
  }

  match(method: string, path: string): MatchResult<T> {
    const parts = path.split('/').filter(Boolean);
    const exact = this.matchExact(method, parts);
    return exact.kind === 'none' ? this.matchRest(method, parts) : exact;
  }

  private matchRest(method: string, parts: string[]): MatchResult<T> {
    const allow = new Set<string>();
    for (const route of this.restRoutes) {
      const n = route.segments.length;
      if (parts.length < n) continue;
      const head = [...parts.slice(0, n - 1), parts.slice(n - 1).join('/')];
      const params = matchSegments(route.segments, head);
      if (!params) continue;
      const last = route.segments[n - 1].slice(1, -1);
      try {
        params[last] = parts
          .slice(n - 1)
          .map(decodeURIComponent)
          .join('/');
      } catch {
        continue;
      }
      const m = route.spec.method;
      if (m === method || (method === 'HEAD' && m === 'GET'))
        return { kind: 'ok', match: { spec: route.spec, params, value: route.value } };
      allow.add(m);
    }
    return allow.size ? { kind: 'method', allow: [...allow] } : { kind: 'none' };
  }

  private matchExact(method: string, parts: string[]): MatchResult<T> {
    const candidates = this.byLength.get(parts.length);
    if (!candidates) return { kind: 'none' };
    const allow = new Set<string>();
    let bestLiteral = -1;
    for (const route of candidates) {
      if (route.literalCount < bestLiteral) break;
      const params = matchSegments(route.segments, parts);
      if (!params) continue;
      bestLiteral = route.literalCount;
      const m = route.spec.method;
      if (m === method || (method === 'HEAD' && m === 'GET'))
        return { kind: 'ok', match: { spec: route.spec, params, value: route.value } };
      allow.add(m);
    }
    return allow.size ? { kind: 'method', allow: [...allow] } : { kind: 'none' };
  }
}

function matchSegments(template: string[], parts: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < template.length; i++) {
    const t = template[i];
    if (t.startsWith('{')) {
      let value: string;
      try {
        value = decodeURIComponent(parts[i]);
      } catch {
        return undefined;
      }
      params[t.slice(1, -1)] = value;
    } else if (t !== parts[i]) {
      return undefined;
    }
  }
  return params;
}
