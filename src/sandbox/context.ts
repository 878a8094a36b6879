// What every handler receives: the parsed request and the sandbox's services.
import { isDate } from '../dates.js';
import type { IncomingHttpHeaders } from 'node:http';
import type { Auth, AuthUser } from './auth.js';
import type { Reply, ValidationIssue } from './http.js';
import { forbidden, invalid } from './http.js';
import type { Store } from './store.js';

export interface Ctx {
  method: string;
  path: string;
  query: URLSearchParams;
  params: Record<string, string>;
  body: unknown;
  headers: IncomingHttpHeaders;
  requestId: string;
  /** Set on every route whose auth is not 'none'. */
  auth?: AuthUser;
}

export interface App {
  store: Store;
  auth: Auth;
  now(): number;
  bootId: string;
  startedAt: number;
  version: string;
  /** Strict mode: I routes without a kept reason answer 404, and I filters are ignored. */
  strict?: boolean;
}

export type Handler = (ctx: Ctx, app: App) => Reply | Promise<Reply>;

export function currentUser(ctx: Ctx): AuthUser {
  if (!ctx.auth) throw forbidden('This route needs an authenticated user');
  return ctx.auth;
}

export const isAdmin = (ctx: Ctx): boolean => ctx.auth?.user.role === 'admin';

/** Collects FastAPI-style issues for one request body, then throws them all at once. */
export class BodyReader {
  readonly issues: ValidationIssue[] = [];
  readonly obj: Record<string, unknown>;

  constructor(body: unknown) {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      this.obj = {};
      this.issues.push({
        loc: ['body'],
        msg:
          body === undefined
            ? 'Field required: send a JSON object body'
            : 'Input should be a valid dictionary (JSON object)',
        type: body === undefined ? 'missing' : 'dict_type',
      });
    } else {
      this.obj = body as Record<string, unknown>;
    }
  }

  has(key: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.obj, key);
  }

  string(
    key: string,
    opts: { required?: boolean; nullable?: boolean; nonEmpty?: boolean } = {},
  ): string | null | undefined {
    const v = this.obj[key];
    if (v === undefined) return this.missing(key, opts.required);
    if (v === null && opts.nullable) return null;
    if (typeof v !== 'string') return this.bad(key, 'Input should be a valid string', 'string_type');
    if (opts.nonEmpty && v.trim() === '')
      return this.bad(key, 'String should have at least 1 character', 'string_too_short');
    return v;
  }

  int(key: string, opts: { required?: boolean; nullable?: boolean } = {}): number | null | undefined {
    const v = this.obj[key];
    if (v === undefined) return this.missing(key, opts.required);
    if (v === null && opts.nullable) return null;
    if (typeof v !== 'number' || !Number.isInteger(v))
      return this.bad(key, 'Input should be a valid integer', 'int_type');
    return v;
  }

  jsonObject(key: string, opts: { nullable?: boolean } = {}): Record<string, unknown> | null | undefined {
    const v = this.obj[key];
    if (v === undefined) return undefined;
    if (v === null && opts.nullable) return null;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) {
      return this.bad(key, 'Input should be a valid dictionary (a JSON object, not a list)', 'dict_type');
    }
    return v as Record<string, unknown>;
  }

  date(key: string): string | null | undefined {
    const v = this.obj[key];
    if (v === undefined || v === null) return v as null | undefined;
    if (typeof v !== 'string' || !isDate(v)) {
      return this.bad(key, 'Input should be a valid date (YYYY-MM-DD) or datetime', 'date_parsing');
    }
    return v;
  }

  oneOf<T extends string>(
    key: string,
    values: readonly T[],
    opts: { required?: boolean } = {},
  ): T | undefined {
    const v = this.obj[key];
    if (v === undefined) return this.missing(key, opts.required) ?? undefined;
    if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) {
      return this.bad(key, `Input should be ${values.map((x) => `'${x}'`).join(', ')}`, 'enum');
    }
    return v as T;
  }

  done(): void {
    if (this.issues.length) throw invalid(this.issues);
  }

  private missing(key: string, required: boolean | undefined): undefined {
    if (required) this.issues.push({ loc: ['body', key], msg: 'Field required', type: 'missing' });
    return undefined;
  }

  private bad(key: string, msg: string, type: string): undefined {
    this.issues.push({ loc: ['body', key], msg, type });
    return undefined;
  }
}

/** Query-string parsing with the same 422 shape. */
export class QueryReader {
  readonly issues: ValidationIssue[] = [];
  constructor(private readonly q: URLSearchParams) {}

  string(key: string): string | undefined {
    const v = this.q.get(key);
    return v === null || v === '' ? undefined : v;
  }

  int(key: string, opts: { min?: number; max?: number; def?: number } = {}): number | undefined {
    const raw = this.string(key);
    if (raw === undefined) return opts.def;
    const n = Number(raw);
    if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(n))
      return this.bad(key, 'Input should be a valid integer', 'int_parsing');
    if (opts.min !== undefined && n < opts.min)
      return this.bad(key, `Input should be greater than or equal to ${opts.min}`, 'greater_than_equal');
    if (opts.max !== undefined && n > opts.max)
      return this.bad(key, `Input should be less than or equal to ${opts.max}`, 'less_than_equal');
    return n;
  }

  bool(key: string): boolean | undefined {
    const raw = this.string(key);
    if (raw === undefined) return undefined;
    if (['true', '1', 'yes', 'on'].includes(raw.toLowerCase())) return true;
    if (['false', '0', 'no', 'off'].includes(raw.toLowerCase())) return false;
    return this.bad(key, 'Input should be a valid boolean', 'bool_parsing');
  }

  time(key: string): number | undefined {
    const raw = this.string(key);
    if (raw === undefined) return undefined;
    const t = Date.parse(raw);
    if (!isDate(raw) || Number.isNaN(t))
      return this.bad(key, 'Input should be a valid datetime or date', 'datetime_parsing');
    return t;
  }

  oneOf<T extends string>(key: string, values: readonly T[]): T | undefined {
    const raw = this.string(key);
    if (raw === undefined) return undefined;
    if (!(values as readonly string[]).includes(raw))
      return this.bad(key, `Input should be ${values.map((x) => `'${x}'`).join(', ')}`, 'enum');
    return raw as T;
  }

  done(): void {
    if (this.issues.length) throw invalid(this.issues);
  }

  private bad(key: string, msg: string, type: string): undefined {
    this.issues.push({ loc: ['query', key], msg, type });
    return undefined;
  }
}

/** Path ids are integers; anything else is a 422 like FastAPI's. */
export function pathInt(ctx: Ctx, name: string): number {
  const raw = ctx.params[name];
  if (!/^\d+$/.test(raw ?? '')) {
    throw invalid([{ loc: ['path', name], msg: 'Input should be a valid integer', type: 'int_parsing' }]);
  }
  return Number(raw);
}

export const iso = (app: App): string => new Date(app.now()).toISOString();
