// The node:http server: route table → handler, auth, per-IP auth rate limit, fault injection,
// stats and request log, and the /_sandbox control routes.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { RateLimiter } from './auth.js';
import type { App, Ctx, Handler } from './context.js';
import {
  type FaultDecision,
  FaultInjector,
  type LateCommitReply,
  alterListBody,
  validateFaultConfig,
} from './faults.js';
import { artifactHandlers } from './handlers/artifacts.js';
import { dataHandlers } from './handlers/data.js';
import { experimentHandlers } from './handlers/experiments.js';
import { platformHandlers } from './handlers/platform.js';
import { projectHandlers } from './handlers/projects.js';
import {
  type ErrorDialect,
  HttpError,
  type MatchResult,
  type Reply,
  Router,
  errorReply,
  forbidden,
  json,
  parseBody,
  readBody,
} from './http.js';
import { CONTROL_ROUTES, type RouteSpec, SANDBOX_ROUTES, strictRoutes } from './routes.js';
import { seedForeign } from './seed.js';
import type { CreateTokenOptions, RequestLogEntry, SandboxStats } from './types.js';

const HANDLERS: Record<string, Handler> = {
  ...platformHandlers,
  ...experimentHandlers,
  ...dataHandlers,
  ...projectHandlers,
  ...artifactHandlers,
};
const READ_METHODS = new Set(['GET', 'HEAD']);
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const REQUEST_ID = /^[\w.:-]{1,128}$/;

export interface ServerDeps {
  app: App;
  legacyErrors: boolean;
  authLimiter: RateLimiter | null;
  logSize: number;
  quiet: boolean;
  /** Serve only the C and C/SDK routes (and the I routes without an alternative); see strictRoutes. */
  strict?: boolean;
}

/** The HTTP error an injected fault answers with, if it is one. */
function injectedError(fault: FaultDecision): HttpError | undefined {
  if (fault.kind === 'rateLimit') {
    const after = String(fault.retryAfterSeconds);
    return new HttpError(
      429,
      'RATE_LIMITED',
      `Too many requests (injected fault): retry after ${after} s`,
      null,
      {
        'retry-after': after,
      },
    );
  }
  if (fault.kind !== 'error') return undefined;
  return fault.status === 503
    ? new HttpError(
        503,
        'SERVICE_UNAVAILABLE',
        'Service temporarily unavailable (injected fault): retry later',
      )
    : new HttpError(
        500,
        'REPOSITORY_ERROR',
        'Internal server error (injected fault): the request was not performed',
      );
}

export class SandboxServer {
  readonly http: Server;
  readonly faults = new FaultInjector();
  private readonly router = new Router<Handler>();
  private counters: SandboxStats = { reads: 0, writes: 0, total: 0, byRoute: {} };
  private readonly logRing: RequestLogEntry[] = [];
  private logNext = 0;
  private readonly waits = new Map<NodeJS.Timeout, () => void>();
  private closing = false;

  constructor(private readonly deps: ServerDeps) {
    for (const spec of deps.strict ? strictRoutes() : SANDBOX_ROUTES) {
      const handler = HANDLERS[spec.name];
      if (!handler) throw new Error(`sandbox: no handler for route ${spec.name}`);
      this.router.add(spec, handler);
    }
    this.http = createServer((req, res) => {
      this.handle(req, res).catch((e: unknown) => {
        // Only reached when writing the response itself failed; nothing left to tell the client.
        if (!res.headersSent) res.destroy(e as Error);
      });
    });
  }

  stats(): SandboxStats {
    return { ...this.counters, byRoute: { ...this.counters.byRoute } };
  }

  resetStats(): void {
    this.counters = { reads: 0, writes: 0, total: 0, byRoute: {} };
  }

  log(): RequestLogEntry[] {
    const n = this.deps.logSize;
    if (this.logRing.length < n) return [...this.logRing];
    return [...this.logRing.slice(this.logNext), ...this.logRing.slice(0, this.logNext)];
  }

  /** Ends pending latency/stall waits so close() never waits for them. */
  shutdown(): void {
    this.closing = true;
    for (const [timer, wake] of this.waits) {
      clearTimeout(timer);
      wake();
    }
    this.waits.clear();
  }

  /** Runs `fn` after `ms` unless the sandbox closes first (a late commit then never lands). */
  private later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.waits.delete(timer);
      if (!this.closing) fn();
    }, ms);
    this.waits.set(timer, () => undefined);
  }

  /** What the client sees of a late commit; undefined = the connection drops. */
  private async lateCommitReply(kind: LateCommitReply, stallMs: number): Promise<Reply | undefined> {
    switch (kind) {
      case 'reset':
        return undefined;
      case 'stall':
        await this.wait(stallMs);
        return undefined;
      case 'proxyError':
        return {
          status: 502,
          raw: '<html><body><h1>502 Bad Gateway</h1></body></html>',
          headers: { 'content-type': 'text/html' },
        };
      case 'okWithoutId':
        return json(201, { detail: 'Accepted' });
    }
  }

  private wait(ms: number): Promise<void> {
    if (ms <= 0 || this.closing) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waits.delete(timer);
        resolve();
      }, ms);
      this.waits.set(timer, resolve);
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    const method = (req.method ?? 'GET').toUpperCase();
    const incomingId = req.headers['x-request-id'];
    const requestId =
      typeof incomingId === 'string' && REQUEST_ID.test(incomingId)
        ? incomingId
        : `req_${randomBytes(8).toString('hex')}`;
    const rawUrl = req.url ?? '/';
    const qIndex = rawUrl.indexOf('?');
    let path = qIndex === -1 ? rawUrl : rawUrl.slice(0, qIndex);
    if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
    const query = new URLSearchParams(qIndex === -1 ? '' : rawUrl.slice(qIndex + 1));

    if (path.startsWith('/_sandbox/')) {
      const reply = await this.control(req, method, path, query, requestId);
      this.send(res, reply, requestId);
      return;
    }

    const isApi = path === '/api' || path.startsWith('/api/');
    const found = method === 'OPTIONS' ? this.preflight(path) : this.router.match(method, path);
    const spec: RouteSpec | undefined = found.kind === 'ok' ? found.match.spec : undefined;
    const template = spec?.path ?? null;
    if (isApi) this.count(method, template);
    const dialect: ErrorDialect = !this.deps.legacyErrors
      ? 'structured'
      : spec?.pluginErrors
        ? 'plugin'
        : 'fastapi';
    const entry: RequestLogEntry = {
      time: new Date(this.deps.app.now()).toISOString(),
      method,
      path: rawUrl,
      route: template,
      status: 0,
      durationMs: 0,
      requestId,
    };

    let reply: Reply;
    let stallMs = 0;
    try {
      const body = parseBody(await readBody(req), req.headers['content-type']);
      const fault = isApi
        ? this.faults.decide(method, template ?? path)
        : { kind: 'none' as const, latencyMs: 0 };
      await this.wait(fault.latencyMs);
      if (fault.kind === 'reset') {
        entry.fault = 'reset';
        this.finishLog(entry, started, 0);
        req.socket.destroy();
        return;
      }
      const injected = injectedError(fault);
      if (injected) {
        entry.fault = fault.kind === 'error' ? `error${fault.status}` : fault.kind;
        throw injected;
      }
      if (fault.kind === 'stall') {
        entry.fault = 'commitThenStall';
        stallMs = fault.stallMs;
      }
      if (fault.kind === 'lateCommit') {
        entry.fault = `lateCommit:${fault.reply}`;
        const store = () => this.dispatch(req, method, path, query, body, requestId, found, { ...entry });
        this.later(fault.commitDelayMs, () => void store().catch(() => undefined));
        const early = await this.lateCommitReply(fault.reply, fault.stallMs);
        if (!early) {
          this.finishLog(entry, started, 0);
          req.socket.destroy();
          return;
        }
        reply = early;
      } else {
        if (fault.list?.repeatIds) {
          const skip = Number(query.get('skip') ?? '0');
          if (skip > 0) query.set('skip', String(skip - 1));
        }
        reply = await this.dispatch(req, method, path, query, body, requestId, found, entry);
        if (fault.list && reply.status === 200) alterListBody(reply.body, fault.list);
      }
    } catch (e) {
      reply = this.failure(e, dialect, requestId);
    }
    if (stallMs > 0) await this.wait(stallMs);
    this.finishLog(entry, started, reply.status);
    if (this.closing && stallMs > 0) {
      req.socket.destroy();
      return;
    }
    this.send(res, reply, requestId);
  }

  private async dispatch(
    req: IncomingMessage,
    method: string,
    path: string,
    query: URLSearchParams,
    body: unknown,
    requestId: string,
    found: MatchResult<Handler>,
    entry: RequestLogEntry,
  ): Promise<Reply> {
    if (this.deps.authLimiter && (path === '/api/auth' || path.startsWith('/api/auth/'))) {
      const wait = this.deps.authLimiter.hit(req.socket.remoteAddress ?? 'unknown');
      if (wait > 0) {
        throw new HttpError(
          429,
          'RATE_LIMITED',
          `Too many authentication requests from this address: retry after ${wait} s`,
          null,
          {
            'retry-after': String(wait),
          },
        );
      }
    }
    if (found.kind === 'none') {
      throw new HttpError(
        404,
        'NOT_FOUND',
        `No route ${method} ${path}; see the MINT REST contract for the routes`,
      );
    }
    if (found.kind === 'method') {
      throw new HttpError(
        405,
        'METHOD_NOT_ALLOWED',
        `${method} is not allowed on ${path} (allowed: ${found.allow.join(', ')})`,
        null,
        {
          allow: found.allow.join(', '),
        },
      );
    }
    const { spec, params, value: handler } = found.match;
    if (method === 'OPTIONS')
      return { status: 204, headers: { allow: [...this.allowed(path), 'OPTIONS'].join(', ') } };
    const ctx: Ctx = { method, path, query, params, body, headers: req.headers, requestId };
    if (spec.auth !== 'none') {
      ctx.auth = this.deps.app.auth.authenticate(req.headers.authorization);
      entry.user = ctx.auth.user.username;
      if (ctx.auth.readOnly && !SAFE_METHODS.has(method)) {
        throw forbidden(
          `This personal access token is read-only: ${method} ${spec.path} needs a token with write access`,
        );
      }
      if (spec.auth === 'admin' && ctx.auth.user.role !== 'admin') {
        throw forbidden(
          `${method} ${spec.path} is for admins only; user ${ctx.auth.user.username} is a ${ctx.auth.user.role}`,
        );
      }
    }
    return handler(ctx, this.deps.app);
  }

  private allowed(path: string): string[] {
    return ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].filter((m) => this.router.match(m, path).kind === 'ok');
  }

  /** OPTIONS matches a path when any method does; the route found only names the template. */
  private preflight(path: string): MatchResult<Handler> {
    const first = this.allowed(path)[0];
    return first ? this.router.match(first, path) : { kind: 'none' };
  }

  private failure(e: unknown, dialect: ErrorDialect, requestId: string): Reply {
    if (e instanceof HttpError) return errorReply(e, dialect, requestId);
    const msg = e instanceof Error ? e.message : String(e);
    if (!this.closing && !this.deps.quiet)
      process.stderr.write(`sandbox: internal error (${requestId}): ${msg}\n`);
    return errorReply(
      new HttpError(500, 'INTERNAL_ERROR', `Sandbox internal error (request ${requestId}): ${msg}`),
      dialect,
      requestId,
    );
  }

  private count(method: string, template: string | null): void {
    const c = this.counters;
    c.total++;
    if (READ_METHODS.has(method)) c.reads++;
    else if (WRITE_METHODS.has(method)) c.writes++;
    const key = `${method} ${template ?? '(unmatched)'}`;
    c.byRoute[key] = (c.byRoute[key] ?? 0) + 1;
  }

  private finishLog(entry: RequestLogEntry, started: bigint, status: number): void {
    entry.status = status;
    entry.durationMs = Number(process.hrtime.bigint() - started) / 1e6;
    const n = this.deps.logSize;
    if (n <= 0) return;
    if (this.logRing.length < n) this.logRing.push(entry);
    else this.logRing[this.logNext] = entry;
    this.logNext = (this.logNext + 1) % n;
  }

  private send(res: ServerResponse, reply: Reply, requestId: string): void {
    if (res.destroyed) return;
    const headers: Record<string, string> = { 'x-request-id': requestId, ...reply.headers };
    let payload: string | Buffer | undefined;
    if (reply.raw !== undefined) payload = reply.raw;
    else if (reply.body !== undefined && reply.status !== 204) {
      payload = JSON.stringify(reply.body);
      headers['content-type'] ??= 'application/json';
    }
    if (payload !== undefined) headers['content-length'] = String(Buffer.byteLength(payload));
    res.writeHead(reply.status, headers);
    res.end(payload);
  }

  private async control(
    req: IncomingMessage,
    method: string,
    path: string,
    query: URLSearchParams,
    requestId: string,
  ): Promise<Reply> {
    try {
      const body = parseBody(await readBody(req), req.headers['content-type']);
      const who = this.deps.app.auth.authenticate(req.headers.authorization);
      if (who.user.role !== 'admin') throw forbidden('The /_sandbox routes need an admin token');
      const route = `${method} ${path}`;
      switch (route) {
        case `GET ${CONTROL_ROUTES.faults}`:
          return json(200, this.faults.get());
        case `PUT ${CONTROL_ROUTES.faults}`:
          try {
            this.faults.set(validateFaultConfig(body));
          } catch (e) {
            throw new HttpError(400, 'VALIDATION_ERROR', (e as Error).message);
          }
          return json(200, this.faults.get());
        case `GET ${CONTROL_ROUTES.stats}`:
          return json(200, this.stats());
        case `POST ${CONTROL_ROUTES.statsReset}`:
          this.resetStats();
          return json(200, this.stats());
        case `GET ${CONTROL_ROUTES.log}`: {
          const limit = Number(query.get('limit') ?? '0');
          const entries = this.log();
          return json(200, { entries: limit > 0 ? entries.slice(-limit) : entries });
        }
        case `POST ${CONTROL_ROUTES.tokens}`: {
          const opts = (body ?? {}) as CreateTokenOptions;
          if (typeof opts.username !== 'string')
            throw new HttpError(
              400,
              'VALIDATION_ERROR',
              'Body must be {"username": ..., "kind"?, "readOnly"?, "ttlSeconds"?}',
            );
          if (!this.deps.app.store.state.users[opts.username])
            throw new HttpError(404, 'NOT_FOUND', `No user named ${opts.username}`);
          return json(201, { token: this.deps.app.auth.createToken(opts) });
        }
        case `POST ${CONTROL_ROUTES.seed}`:
          return json(201, await seedForeign(this.deps.app, body));
        default:
          throw new HttpError(404, 'NOT_FOUND', `No sandbox control route ${method} ${path}`);
      }
    } catch (e) {
      return this.failure(e, 'structured', requestId);
    }
  }
}
