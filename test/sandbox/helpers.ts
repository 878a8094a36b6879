// Plain fetch against a running sandbox: tests see exactly what goes over the wire.
import { expect } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';

export interface WireResponse {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- test-only access to arbitrary JSON
  body: any;
  text: string;
}

export interface CallOptions {
  body?: unknown;
  /** Bearer token; default the sandbox admin token; null = no Authorization header. */
  token?: string | null;
  headers?: Record<string, string>;
  rawBody?: string;
}

export async function call(
  sb: Sandbox,
  method: string,
  path: string,
  opts: CallOptions = {},
): Promise<WireResponse> {
  const headers: Record<string, string> = { ...opts.headers };
  const token = opts.token === undefined ? sb.adminToken : opts.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  let body: string | undefined = opts.rawBody;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(sb.url + path, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = undefined;
  if (text && (res.headers.get('content-type') ?? '').includes('json')) parsed = JSON.parse(text);
  return { status: res.status, headers: res.headers, body: parsed, text };
}

/** Logs in and returns the session token. */
export async function login(sb: Sandbox, username: string, password: string): Promise<string> {
  const r = await call(sb, 'POST', '/api/auth/login', { body: { username, password }, token: null });
  if (r.status !== 200) throw new Error(`login ${username} failed: ${r.status} ${r.text}`);
  return r.body.access_token as string;
}

export function expectStructuredError(r: WireResponse, status: number, code: string): void {
  expect({ status: r.status, code: r.body?.code }, r.text).toEqual({ status, code });
  expect(Object.keys(r.body).sort()).toEqual([
    'code',
    'detail',
    'details',
    'message',
    'request_id',
    'status',
  ]);
  // the string MINT's SDK shows users
  expect(r.body.detail).toBe(r.body.message);
  expect(r.body.status).toBe(status);
  expect(r.body.request_id).toBe(r.headers.get('x-request-id'));
  expect(r.body.message).toMatch(/\S/);
}
