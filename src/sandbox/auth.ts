// Users, passwords, session tokens (HS256 JWTs signed with a per-boot secret) and personal access
// tokens (kept in memory only, hashed). Tokens never appear in messages or logs.
import { createHash, createHmac, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { HttpError } from './http.js';
import type { Store, StoredUser } from './store.js';
import type { CreateTokenOptions, SandboxRole, SandboxUser } from './types.js';

export interface AuthUser {
  user: StoredUser;
  kind: 'session' | 'pat';
  readOnly: boolean;
  /** Epoch ms; null = never. */
  expiresAt: number | null;
}

interface PatRecord {
  username: string;
  readOnly: boolean;
  expiresAt: number | null;
}

/** Standard JWT NumericDate claims: seconds since the epoch (fractional, so short test sessions are exact). */
interface SessionClaims {
  sub: string;
  iat: number;
  exp: number;
  jti: string;
}

const expiryMs = (c: SessionClaims): number => c.exp * 1000;

const b64url = (buf: Buffer | string): string => Buffer.from(buf).toString('base64url');

export function hashPassword(password: string): string {
  const salt = randomBytes(16);
  // Low scrypt cost: this is a local test server, and start-up must stay fast.
  const hash = scryptSync(password, salt, 32, { N: 1024 });
  return `scrypt$${salt.toString('hex')}$${hash.toString('hex')}`;
}

export function verifyPassword(password: string, stored: string): boolean {
  const [, saltHex, hashHex] = stored.split('$');
  if (!saltHex || !hashHex) return false;
  const expected = Buffer.from(hashHex, 'hex');
  const actual = scryptSync(password, Buffer.from(saltHex, 'hex'), expected.length, { N: 1024 });
  return timingSafeEqual(actual, expected);
}

const unauthorized = (code: string, message: string): HttpError => new HttpError(401, code, message);

export class Auth {
  private readonly secret = randomBytes(32);
  private readonly pats = new Map<string, PatRecord>();

  constructor(
    private readonly store: Store,
    private readonly now: () => number,
    readonly sessionTtlSeconds: number,
    private readonly refreshWindowSeconds: number,
  ) {}

  /** Adds (or updates the password/role of) the given users; returns true when state changed. */
  ensureUsers(users: SandboxUser[]): boolean {
    let changed = false;
    for (const u of users) {
      const existing = this.store.state.users[u.username];
      if (
        existing &&
        verifyPassword(u.password, existing.password_hash) &&
        existing.role === (u.role ?? existing.role)
      ) {
        if (u.secondFactor !== undefined && existing.second_factor !== u.secondFactor) {
          existing.second_factor = u.secondFactor;
          changed = true;
        }
        continue;
      }
      this.upsertUser(u);
      changed = true;
    }
    return changed;
  }

  upsertUser(u: SandboxUser): StoredUser {
    const state = this.store.state;
    const existing = state.users[u.username];
    const role: SandboxRole = u.role ?? existing?.role ?? 'member';
    const user: StoredUser = {
      id: existing?.id ?? ++state.seq.user,
      username: u.username,
      shortname: existing?.shortname ?? u.username.slice(0, 8),
      email: u.email ?? existing?.email ?? `${u.username}@sandbox.local`,
      role,
      is_active: existing?.is_active ?? true,
      password_hash: hashPassword(u.password),
      second_factor: u.secondFactor ?? existing?.second_factor ?? false,
      created_at: existing?.created_at ?? new Date(this.now()).toISOString(),
    };
    state.users[u.username] = user;
    return user;
  }

  login(username: unknown, password: unknown): { token: string; expiresIn: number } {
    const user = typeof username === 'string' ? this.store.state.users[username] : undefined;
    if (!user || typeof password !== 'string' || !verifyPassword(password, user.password_hash)) {
      throw unauthorized('auth.invalid_credentials', 'Incorrect username or password');
    }
    if (!user.is_active)
      throw unauthorized('auth.invalid_credentials', `User ${user.username} is deactivated`);
    if (user.second_factor) {
      throw unauthorized(
        'auth.second_factor_required',
        'This account requires a second factor: password login is not possible from a client; use a personal access token (mint_pat_…)',
      );
    }
    return {
      token: this.issueSession(user.username, this.sessionTtlSeconds),
      expiresIn: this.sessionTtlSeconds,
    };
  }

  issueSession(username: string, ttlSeconds: number): string {
    const iat = this.now() / 1000;
    const claims: SessionClaims = {
      sub: username,
      iat,
      exp: iat + ttlSeconds,
      jti: randomBytes(8).toString('hex'),
    };
    const head = `${b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${b64url(JSON.stringify(claims))}`;
    return `${head}.${b64url(createHmac('sha256', this.secret).update(head).digest())}`;
  }

  createPat(opts: CreateTokenOptions, value?: string): string {
    if (!this.store.state.users[opts.username]) throw new Error(`sandbox: no user named ${opts.username}`);
    const token = value ?? `mint_pat_${randomBytes(24).toString('hex')}`;
    this.pats.set(sha256(token), {
      username: opts.username,
      readOnly: opts.readOnly ?? false,
      expiresAt: opts.ttlSeconds !== undefined ? this.now() + opts.ttlSeconds * 1000 : null,
    });
    return token;
  }

  createToken(opts: CreateTokenOptions): string {
    if (opts.kind === 'session') {
      if (!this.store.state.users[opts.username]) throw new Error(`sandbox: no user named ${opts.username}`);
      return this.issueSession(opts.username, opts.ttlSeconds ?? this.sessionTtlSeconds);
    }
    return this.createPat(opts);
  }

  /** Resolves the Authorization header; throws the contract's 401s. */
  authenticate(header: string | undefined): AuthUser {
    const token = bearer(header);
    const session = this.decodeSession(token);
    if (session) {
      if (expiryMs(session) <= this.now()) {
        throw unauthorized(
          'auth.token_expired',
          'Session token expired: refresh it (POST /api/auth/refresh) or log in again',
        );
      }
      return {
        user: this.activeUser(session.sub),
        kind: 'session',
        readOnly: false,
        expiresAt: expiryMs(session),
      };
    }
    const pat = this.pats.get(sha256(token));
    if (!pat)
      throw unauthorized(
        'auth.invalid_token',
        'Invalid or revoked token: log in again or use a valid personal access token',
      );
    if (pat.expiresAt !== null && pat.expiresAt <= this.now()) {
      throw unauthorized('auth.token_expired', 'Personal access token expired: create a new one');
    }
    return {
      user: this.activeUser(pat.username),
      kind: 'pat',
      readOnly: pat.readOnly,
      expiresAt: pat.expiresAt,
    };
  }

  /** A session token (still valid, or expired within the refresh window) for a fresh one. */
  refresh(header: string | undefined): { token: string; expiresIn: number } {
    const token = bearer(header);
    const session = this.decodeSession(token);
    if (!session) {
      if (token.startsWith('mint_pat_') || this.pats.has(sha256(token))) {
        throw new HttpError(
          400,
          'VALIDATION_ERROR',
          'Personal access tokens cannot be refreshed; they stay valid until revoked',
        );
      }
      throw unauthorized('auth.invalid_token', 'Invalid session token: log in again');
    }
    if (expiryMs(session) + this.refreshWindowSeconds * 1000 <= this.now()) {
      throw unauthorized(
        'auth.session_over',
        this.refreshWindowSeconds === 0
          ? 'Session expired: an expired session cannot be refreshed (refresh before expiry); log in again'
          : 'Session is over and can no longer be refreshed: log in again',
      );
    }
    const user = this.activeUser(session.sub);
    return {
      token: this.issueSession(user.username, this.sessionTtlSeconds),
      expiresIn: this.sessionTtlSeconds,
    };
  }

  private activeUser(username: string): StoredUser {
    const user = this.store.state.users[username];
    if (!user || !user.is_active)
      throw unauthorized('auth.invalid_token', 'The user of this token no longer exists or is inactive');
    return user;
  }

  private decodeSession(token: string): SessionClaims | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const expected = createHmac('sha256', this.secret).update(`${parts[0]}.${parts[1]}`).digest();
    const given = Buffer.from(parts[2], 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw unauthorized(
        'auth.invalid_token',
        'Invalid session token (bad signature, or the sandbox restarted): log in again',
      );
    }
    try {
      return JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as SessionClaims;
    } catch {
      throw unauthorized('auth.invalid_token', 'Malformed session token: log in again');
    }
  }
}

function bearer(header: string | undefined): string {
  const m = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!m) throw unauthorized('auth.required', 'Not authenticated: send Authorization: Bearer <token>');
  if (m[1].startsWith('mint_svc_')) {
    throw unauthorized(
      'auth.service_token_refused',
      'Service tokens (mint_svc_…) are not accepted on /api routes; use a personal access token (mint_pat_…) or log in',
    );
  }
  return m[1];
}

function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

/** Fixed-window limiter per IP for /api/auth*. */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly now: () => number,
  ) {}

  /** Returns seconds to wait when over the limit, else 0. */
  hit(ip: string): number {
    const t = this.now();
    let w = this.windows.get(ip);
    if (!w || t - w.start >= this.windowMs) {
      w = { start: t, count: 0 };
      this.windows.set(ip, w);
    }
    w.count++;
    if (w.count <= this.max) return 0;
    return Math.max(1, Math.ceil((w.start + this.windowMs - t) / 1000));
  }
}
