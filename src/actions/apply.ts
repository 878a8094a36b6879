// apply(): plan afresh, refuse when the reviewed plan no longer holds, then carry out the actions in
// dependency order with bounded concurrency.
import type { MintClient } from '../client/index.js';
import type { ResolvedManifest } from '../manifest/model.js';
import { staleObjects, type ActionStep } from './build.js';
import { FingerprintMismatchError, MaxDeletesError, OperationError, PlanStaleError } from './errors.js';
import { executeStep, OutcomeUnknownError, type ExecContext } from './execute.js';
import type { LiveState } from './live.js';
import { computePlan, unresolvedDuplicates } from './plan.js';
import { DEFAULT_CONCURRENCY } from './read.js';
import type { ActionResult, ApplyResult, EventSink, Plan, PlanAction } from './types.js';

export const DEFAULT_MAX_DELETES = 10;

export interface ApplyOptions {
  manifest: ResolvedManifest;
  client: MintClient;
  /** A plan saved earlier: apply only if live MINT still matches what it was computed against. */
  savedPlan?: Plan;
  /** The fingerprint of the reviewed plan (a prefix of 12+ hex digits is accepted). */
  expectedFingerprint?: string;
  /** Delete orphans. Defaults to the saved plan's setting, else false. */
  prune?: boolean;
  /** Delete the empty extra copies of duplicated keys. Defaults to the saved plan's setting, else false. */
  dedupe?: boolean;
  /** Refuse (before any write) a plan that makes more deletions than this (default 10). */
  maxDeletes?: number;
  concurrency?: number;
  /** Keep going after a failed action (its dependents are still skipped). Default: stop at the first failure. */
  continueOnError?: boolean;
  onEvent?: EventSink;
}

export function fingerprintMatches(expected: string, actual: string): boolean {
  const e = expected.trim().toLowerCase();
  return e === actual || (e.length >= 12 && actual.startsWith(e));
}

export async function apply(opts: ApplyOptions): Promise<{ plan: Plan; result: ApplyResult }> {
  const concurrency = opts.concurrency ?? DEFAULT_CONCURRENCY;
  const saved = opts.savedPlan;
  if (saved && saved.stack !== opts.manifest.stack) {
    throw new OperationError(
      `the saved plan is for stack "${saved.stack}" but the manifest is stack "${opts.manifest.stack}"; plan again with this manifest`,
    );
  }
  const prune = opts.prune ?? saved?.prune ?? false;
  const dedupe = opts.dedupe ?? saved?.dedupe ?? false;
  const { plan, steps, live } = await computePlan({ ...opts, prune, dedupe, concurrency });
  checkReviewed(plan, opts);
  checkDeletes(plan, opts.maxDeletes ?? DEFAULT_MAX_DELETES);

  const ctx = execContext(opts, live, concurrency);
  ctx.emit({ type: 'apply.start', total: plan.actions.length });
  const results = await runActions(plan.actions, steps, ctx, {
    concurrency,
    continueOnError: opts.continueOnError ?? false,
  });
  return { plan, result: applyResult(plan, results) };
}

/** A refusal carries the plan it refused, so adapters can show what was not applied. */
function refused<E extends Error>(err: E, plan: Plan): E & { plan: Plan } {
  return Object.assign(err, { plan });
}

/** Refuses (before any write) a plan that is not the one that was reviewed. */
function checkReviewed(plan: Plan, opts: ApplyOptions): void {
  const saved = opts.savedPlan;
  if (saved) {
    const stale = staleObjects(saved, plan);
    if (stale.length > 0) throw refused(new PlanStaleError(stale), plan);
    if (saved.fingerprint !== plan.fingerprint)
      throw refused(new FingerprintMismatchError(saved.fingerprint, plan.fingerprint), plan);
  }
  if (
    opts.expectedFingerprint !== undefined &&
    !fingerprintMatches(opts.expectedFingerprint, plan.fingerprint)
  ) {
    throw refused(new FingerprintMismatchError(opts.expectedFingerprint, plan.fingerprint), plan);
  }
}

const DELETED_WHAT: Record<PlanAction['type'], [string, string]> = {
  experiment: ['experiment', 'experiments'],
  design: ['design data', 'design data'],
  analysis: ['analysis result', 'analysis results'],
  project: ['project', 'projects'],
};

/** Every deletion counts against max-deletes: experiments, design data and analysis results. */
function checkDeletes(plan: Plan, maxDeletes: number): void {
  const deletes = plan.actions.filter((a) => a.op === 'delete');
  if (deletes.length <= maxDeletes) return;
  const counts = new Map<PlanAction['type'], number>();
  for (const a of deletes) counts.set(a.type, (counts.get(a.type) ?? 0) + 1);
  const breakdown = [...counts].map(([type, n]) => `${n} ${DELETED_WHAT[type][n === 1 ? 0 : 1]}`).join(', ');
  throw refused(new MaxDeletesError(deletes.length, maxDeletes, breakdown), plan);
}

function execContext(opts: ApplyOptions, live: LiveState, concurrency: number): ExecContext {
  const ctx: ExecContext = {
    client: opts.client,
    manifest: opts.manifest,
    concurrency,
    emit: opts.onEvent ?? (() => undefined),
    projectIds: new Map(),
    experimentIds: new Map(),
    experimentCodes: new Map(),
    newestCreatedAt: live.newestCreatedAt,
    verified: new Set(),
    verifying: new Map(),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  };
  for (const [key, p] of live.projects) if (p) ctx.projectIds.set(key, p.id);
  for (const [key, le] of live.experiments) ctx.experimentIds.set(key, le.experiment.id);
  return ctx;
}

function applyResult(plan: Plan, results: ActionResult[]): ApplyResult {
  const count = (status: ActionResult['status']) => results.filter((r) => r.status === status).length;
  const summary = { ok: count('ok'), failed: count('failed'), skipped: count('skipped') };
  const created = results.flatMap((r) =>
    r.created ? [{ key: r.target.key, code: r.created.code, experimentId: r.created.id }] : [],
  );
  const duplicates = unresolvedDuplicates(plan);
  return {
    formatVersion: 1,
    stack: plan.stack,
    fingerprint: plan.fingerprint,
    results,
    summary,
    created,
    orphaned: plan.summary.orphaned,
    duplicates,
    success: summary.failed === 0 && summary.skipped === 0 && duplicates.length === 0,
  };
}

/**
 * Scheduling: the dependency graph of a plan by action index, and which action may start next.
 * Actions that became ready when their dependencies finished go first, so an experiment's writes
 * follow its create closely; then the plan order.
 */
class Scheduler {
  readonly indexOf: Map<string, number>;
  /** Unfinished distinct dependencies of each action. */
  private readonly waiting: number[];
  /** Actions to revisit when this one finishes. */
  private readonly dependents: (number[] | undefined)[];
  private readonly finished: boolean[];
  /** 1 once an action has been handed out or queued, so it starts at most once. */
  private readonly taken: Uint8Array;
  private ready: number[] = [];
  private readyAt = 0;
  private cursor = 0;
  private done = 0;

  constructor(private readonly actions: PlanAction[]) {
    const n = actions.length;
    this.indexOf = new Map(actions.map((a, i) => [a.id, i]));
    this.waiting = new Array<number>(n).fill(0);
    this.dependents = new Array<number[] | undefined>(n);
    this.finished = new Array<boolean>(n).fill(false);
    this.taken = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const seen = new Set<number>();
      for (const id of actions[i].dependsOn) {
        const d = this.indexOf.get(id);
        if (d === undefined || seen.has(d)) continue;
        seen.add(d);
        this.waiting[i]++;
        (this.dependents[d] ??= []).push(i);
      }
    }
  }

  get allDone(): boolean {
    return this.done === this.actions.length;
  }

  /** Records that action `i` finished; returns the actions whose last dependency it was. */
  finish(i: number): number[] {
    this.finished[i] = true;
    this.done++;
    const unblocked = (this.dependents[i] ?? []).filter((j) => --this.waiting[j] === 0);
    this.dependents[i] = undefined;
    for (const j of unblocked) this.taken[j] = 1;
    return unblocked;
  }

  /** An unblocked action that may start. */
  enqueue(j: number): void {
    this.ready.push(j);
  }

  /** The next action to start, or -1 when none can start now. */
  next(): number {
    if (this.readyAt < this.ready.length) {
      const j = this.ready[this.readyAt++];
      if (this.readyAt === this.ready.length) {
        this.ready = [];
        this.readyAt = 0;
      }
      return j;
    }
    while (this.cursor < this.actions.length) {
      const i = this.cursor++;
      if (this.waiting[i] === 0 && !this.taken[i]) {
        this.taken[i] = 1;
        return i;
      }
    }
    return -1;
  }

  isFinished(i: number): boolean {
    return this.finished[i];
  }
}

function baseResult(a: PlanAction) {
  return { actionId: a.id, type: a.type, op: a.op, target: a.target };
}

/** Carries out one action and reports it: ok (with the created experiment's code), or failed. */
async function executeAction(
  a: PlanAction,
  step: ActionStep | undefined,
  ctx: ExecContext,
): Promise<ActionResult> {
  ctx.emit({ type: 'action.start', action: a });
  const started = Date.now();
  try {
    if (!step) throw new Error(`internal: no step for ${a.id}`);
    await executeStep(step, ctx);
    const durationMs = Date.now() - started;
    if (step.kind === 'experiment.create') return createdResult(a, step.spec.key, ctx, durationMs);
    // Literals, not `{ ...baseResult(a), … }`: V8 gives each object built by a spread plus new fields
    // its own hidden class (about 250 bytes), and an apply of 10,000 experiments keeps 30,000 results.
    return { actionId: a.id, type: a.type, op: a.op, target: a.target, status: 'ok', durationMs };
  } catch (err) {
    const mayHaveCommitted =
      typeof err === 'object' &&
      err !== null &&
      (err as { mayHaveCommitted?: unknown }).mayHaveCommitted === true;
    return {
      ...baseResult(a),
      status: 'failed',
      message: errorLine(err),
      ...(mayHaveCommitted ? { mayHaveCommitted } : {}),
      // an unknown outcome is reported, not a reason to stop independent work (the run still fails)
      ...(err instanceof OutcomeUnknownError ? { outcomeUnknown: true as const } : {}),
      durationMs: Date.now() - started,
    };
  }
}

/** For a create: the new experiment, also as the result's target (code and id now known). */
function createdResult(a: PlanAction, key: string, ctx: ExecContext, durationMs: number): ActionResult {
  const id = ctx.experimentIds.get(key);
  const code = ctx.experimentCodes.get(key);
  if (id === undefined || code === undefined)
    return { actionId: a.id, type: a.type, op: a.op, target: a.target, status: 'ok', durationMs };
  const target = { ...a.target, code, experimentId: id };
  return { actionId: a.id, type: a.type, op: a.op, target, status: 'ok', created: { id, code }, durationMs };
}

function skipped(a: PlanAction, message: string): ActionResult {
  return {
    actionId: a.id,
    type: a.type,
    op: a.op,
    target: a.target,
    status: 'skipped',
    message,
    durationMs: 0,
  };
}

/** Why an action whose dependencies all finished may not start (undefined: it may). */
function blockedBy(
  a: PlanAction,
  sched: Scheduler,
  results: ActionResult[],
): ActionResult | 'aborted' | undefined {
  for (const id of a.dependsOn) {
    const d = sched.indexOf.get(id);
    if (d === undefined) continue;
    const r = results[d];
    if (r === undefined) return 'aborted'; // the apply has already failed
    if (r.status !== 'ok')
      return skipped(
        a,
        `not started: dependency ${r.actionId} ${r.status === 'failed' ? 'failed' : 'was skipped'}`,
      );
  }
  return undefined;
}

/**
 * Runs the actions with at most `concurrency` in flight. A bounded pool pulls the next ready action
 * (all its dependencies finished) instead of queueing a pending promise per action up front, so the
 * memory held while applying does not grow with the size of the plan. Actions that became ready
 * when their dependencies finished go first, so an experiment's writes follow its create closely.
 */
function runActions(
  actions: PlanAction[],
  steps: Map<string, ActionStep>,
  ctx: ExecContext,
  opts: { concurrency: number; continueOnError: boolean },
): Promise<ActionResult[]> {
  const max = Math.max(1, Math.floor(opts.concurrency) || 1);
  const sched = new Scheduler(actions);
  const results: ActionResult[] = new Array<ActionResult>(actions.length);
  let stopped = false;

  const report = (r: ActionResult) => {
    ctx.emit({ type: 'action.finish', result: r });
    return r;
  };
  const run = async (a: PlanAction): Promise<ActionResult> => {
    if (stopped)
      return report(
        skipped(a, 'not started: apply stopped at the first failure (use continue-on-error to go on)'),
      );
    const r = await executeAction(a, steps.get(a.id), ctx);
    if (r.status === 'failed' && !r.outcomeUnknown && !opts.continueOnError) stopped = true;
    return report(r);
  };
  const complete = (i: number, r: ActionResult | undefined) => {
    if (r) results[i] = r;
    for (const j of sched.finish(i)) unblocked(j);
  };
  // All dependencies finished: skip it when one did not succeed, else it may start.
  const unblocked = (j: number) => {
    const blocked = blockedBy(actions[j], sched, results);
    if (blocked === 'aborted') complete(j, undefined);
    else if (blocked) complete(j, report(blocked));
    else sched.enqueue(j);
  };

  return new Promise<ActionResult[]>((resolve, reject) => {
    let active = 0;
    let failure: { err: unknown } | undefined;
    // A throw here (an onEvent hook that throws) fails the whole apply, as a rejected action would.
    const settle = (i: number, r: ActionResult | undefined) => {
      active--;
      try {
        complete(i, r);
      } catch (err) {
        failure ??= { err };
      }
      pump();
    };
    const pump = () => {
      try {
        while (active < max) {
          const i = sched.next();
          if (i < 0) break;
          active++;
          run(actions[i]).then(
            (r) => settle(i, r),
            (err: unknown) => {
              failure ??= { err };
              settle(i, undefined);
            },
          );
        }
        // Only a dependency cycle leaves actions that can never start.
        if (!failure && active === 0 && !sched.allDone) {
          for (let i = 0; i < actions.length; i++)
            if (!sched.isFinished(i))
              complete(i, report(skipped(actions[i], 'not started: its dependencies form a cycle')));
        }
      } catch (err) {
        failure ??= { err };
      }
      if (failure) reject(failure.err);
      else if (active === 0) resolve(results);
    };
    pump();
  });
}

function errorLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.replace(/\s+/g, ' ').trim() || 'unknown error';
}
