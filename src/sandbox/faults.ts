// Seeded fault injection (errors, resets, stalls, late commits, list page caps / no total /
// inconsistent listings). One PRNG (mulberry32) per configuration: the same seed and the same
// sequence of requests give the same faults, so a failing test or bench run can be replayed.
import { SANDBOX_ROUTES } from './routes.js';
import type { FaultConfig, FaultRule } from './types.js';

const TEMPLATES = new Set(SANDBOX_ROUTES.map((r) => r.path));

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** How a list reply is altered (page cap, no total, inconsistent listing); applied to GET lists only. */
export interface ListFault {
  pageCap?: number;
  omitTotal?: boolean;
  repeatIds?: boolean;
  shiftTotal?: boolean;
}

export type LateCommitReply = NonNullable<FaultRule['lateCommitReply']>;

export type FaultDecision = (
  | { kind: 'none' }
  | { kind: 'reset' }
  | { kind: 'error'; status: 500 | 503 }
  | { kind: 'rateLimit'; retryAfterSeconds: number }
  | { kind: 'stall'; stallMs: number }
  | { kind: 'lateCommit'; reply: LateCommitReply; commitDelayMs: number; stallMs: number }
) & { latencyMs: number; list?: ListFault };

const PROBABILITY_KEYS = [
  'error500',
  'error503',
  'rateLimit',
  'reset',
  'commitThenStall',
  'lateCommit',
  'repeatIds',
  'shiftTotal',
] as const;
const LATE_REPLIES: readonly LateCommitReply[] = ['reset', 'stall', 'proxyError', 'okWithoutId'];

/** Throws a one-line message naming the bad field; used for PUT /_sandbox/faults and startSandbox. */
export function validateFaultConfig(input: unknown): FaultConfig {
  if (!input || typeof input !== 'object' || !Array.isArray((input as FaultConfig).rules)) {
    throw new Error('fault config must be an object with a "rules" array, e.g. {"seed": 1, "rules": []}');
  }
  const cfg = input as FaultConfig;
  if (cfg.seed !== undefined && !Number.isFinite(cfg.seed))
    throw new Error('fault config: "seed" must be a number');
  cfg.rules.forEach((rule, i) => {
    if (!rule || typeof rule !== 'object') throw new Error(`fault config: rules[${i}] must be an object`);
    for (const key of PROBABILITY_KEYS) {
      const p = rule[key];
      if (p !== undefined && (typeof p !== 'number' || p < 0 || p > 1)) {
        throw new Error(
          `fault config: rules[${i}].${key} must be a probability in [0, 1], found ${JSON.stringify(p)}`,
        );
      }
    }
    if (rule.pageCap !== undefined && !(Number.isInteger(rule.pageCap) && rule.pageCap >= 1))
      throw new Error(
        `fault config: rules[${i}].pageCap must be a whole number ≥ 1, found ${JSON.stringify(rule.pageCap)}`,
      );
    if (rule.omitTotal !== undefined && typeof rule.omitTotal !== 'boolean')
      throw new Error(`fault config: rules[${i}].omitTotal must be true or false`);
    if (rule.lateCommitReply !== undefined && !LATE_REPLIES.includes(rule.lateCommitReply))
      throw new Error(
        `fault config: rules[${i}].lateCommitReply must be one of ${LATE_REPLIES.join(', ')}, found ${JSON.stringify(rule.lateCommitReply)}`,
      );
    for (const key of ['latencyMs', 'stallMs', 'retryAfterSeconds', 'commitDelayMs'] as const) {
      const v = rule[key];
      if (v !== undefined && (typeof v !== 'number' || v < 0)) {
        throw new Error(
          `fault config: rules[${i}].${key} must be a non-negative number, found ${JSON.stringify(v)}`,
        );
      }
    }
    if (rule.route !== undefined) {
      if (typeof rule.route !== 'string') throw new Error(`fault config: rules[${i}].route must be a string`);
      const template = rule.route.includes(' ') ? rule.route.slice(rule.route.indexOf(' ') + 1) : rule.route;
      // A typo would silently never match; name the problem instead.
      if (rule.route !== '*' && !TEMPLATES.has(template)) {
        throw new Error(
          `fault config: rules[${i}].route ${JSON.stringify(rule.route)} is not a route template; use '*', '/api/experiments/{id}' or 'POST /api/experiments' (the stats keys)`,
        );
      }
    }
    if (rule.method !== undefined && typeof rule.method !== 'string')
      throw new Error(`fault config: rules[${i}].method must be a string`);
  });
  return { seed: cfg.seed, rules: cfg.rules.map((r) => ({ ...r })) };
}

export class FaultInjector {
  private config: FaultConfig = { rules: [] };
  private random: () => number = mulberry32(1);

  set(cfg: FaultConfig | undefined): void {
    this.config = validateFaultConfig(cfg ?? { rules: [] });
    this.random = mulberry32(this.config.seed ?? 1);
  }

  get(): FaultConfig {
    return { seed: this.config.seed ?? 1, rules: this.config.rules.map((r) => ({ ...r })) };
  }

  /** `route` is the template (`/api/experiments/{id}`), or the raw path when no route matched. */
  decide(method: string, route: string): FaultDecision {
    const rules = this.config.rules;
    if (rules.length === 0) return { kind: 'none', latencyMs: 0 };
    let latencyMs = 0;
    let list: ListFault | undefined;
    for (const rule of rules) {
      if (!matches(rule, method, route)) continue;
      latencyMs += rule.latencyMs ?? 0;
      // Draw for every probability the rule sets, in a fixed order, so decisions replay exactly.
      if (this.roll(rule.reset)) return { kind: 'reset', latencyMs };
      if (this.roll(rule.rateLimit))
        return { kind: 'rateLimit', retryAfterSeconds: rule.retryAfterSeconds ?? 1, latencyMs };
      if (this.roll(rule.error503)) return { kind: 'error', status: 503, latencyMs };
      if (this.roll(rule.error500)) return { kind: 'error', status: 500, latencyMs };
      if (this.roll(rule.commitThenStall))
        return { kind: 'stall', stallMs: rule.stallMs ?? 30_000, latencyMs };
      if (this.roll(rule.lateCommit))
        return {
          kind: 'lateCommit',
          reply: rule.lateCommitReply ?? 'reset',
          commitDelayMs: rule.commitDelayMs ?? 2000,
          stallMs: rule.stallMs ?? 30_000,
          latencyMs,
        };
      if (method === 'GET') list = this.listFault(rule, list);
    }
    return { kind: 'none', latencyMs, ...(list ? { list } : {}) };
  }

  private listFault(rule: FaultRule, acc: ListFault | undefined): ListFault | undefined {
    const f: ListFault = { ...acc };
    if (rule.pageCap !== undefined) f.pageCap = Math.min(f.pageCap ?? Infinity, rule.pageCap);
    if (rule.omitTotal) f.omitTotal = true;
    if (this.roll(rule.repeatIds)) f.repeatIds = true;
    if (this.roll(rule.shiftTotal)) f.shiftTotal = true;
    return Object.keys(f).length > 0 ? f : acc;
  }

  private roll(p: number | undefined): boolean {
    if (!p) return false;
    return this.random() < p;
  }
}

function matches(rule: FaultRule, method: string, route: string): boolean {
  if (
    rule.method &&
    rule.method.toUpperCase() !== method &&
    !(rule.method.toUpperCase() === 'GET' && method === 'HEAD')
  )
    return false;
  if (rule.route && rule.route !== '*') {
    // Accept "METHOD /api/..." too, exactly as the keys of SandboxStats.byRoute.
    const sp = rule.route.indexOf(' ');
    if (sp > 0) {
      if (rule.route.slice(0, sp).toUpperCase() !== method) return false;
      return rule.route.slice(sp + 1) === route;
    }
    return rule.route === route;
  }
  return true;
}

const LIST_KEYS = ['experiments', 'projects', 'items', 'data'];

/** Applies a list fault to a reply body `{<key>: [...], total}` (a fresh object: mutated in place). */
export function alterListBody(body: unknown, f: ListFault): void {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return;
  const rec = body as Record<string, unknown>;
  const key = LIST_KEYS.find((k) => Array.isArray(rec[k]));
  if (!key) return;
  if (f.pageCap !== undefined) rec[key] = (rec[key] as unknown[]).slice(0, f.pageCap);
  if (f.shiftTotal && typeof rec.total === 'number') rec.total += 1;
  if (f.omitTotal) delete rec.total;
}
