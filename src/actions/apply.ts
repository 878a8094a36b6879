// apply(): plan afresh, refuse when the reviewed plan no longer holds, then carry out the actions in
// dependency order with bounded concurrency.
import type { MintClient } from '../client/index.js';
import type { ResolvedManifest } from '../manifest/model.js';
import { staleObjects, type ActionStep } from './build.js';
import { FingerprintMismatchError, MaxDeletesError, OperationError, PlanStaleError } from './errors.js';
import { executeStep, OutcomeUnknownError, type ExecContext } from './execute.js';
import { computePlan } from './plan.js';
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
  /** Refuse (before any write) a plan that deletes more experiments than this (default 10). */
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

/** A refusal carries the plan it refused, so adapters can show what was not applied. */
function refused<E extends Error>(err: E, plan: Plan): E & { plan: Plan } {
  return Object.assign(err, { plan });
}

export async function apply(opts: ApplyOptions): Promise<{ plan: Plan; result: ApplyResult }> {
  const emit = opts.onEvent ?? (() => undefined);
  const concurrency = opts.concurrency ?? DEFAULT_CONCURRENCY;
  const saved = opts.savedPlan;
  if (saved && saved.stack !== opts.manifest.stack) {
    throw new OperationError(
      `the saved plan is for stack "${saved.stack}" but the manifest is stack "${opts.manifest.stack}"; plan again with this manifest`,
    );
  }
  const prune = opts.prune ?? saved?.prune ?? false;
  const { plan, steps, live } = await computePlan({ ...opts, prune, concurrency });

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
  const maxDeletes = opts.maxDeletes ?? DEFAULT_MAX_DELETES;
  const deletes = plan.actions.filter((a) => a.type === 'experiment' && a.op === 'delete').length;
  if (deletes > maxDeletes) throw refused(new MaxDeletesError(deletes, maxDeletes), plan);

  const ctx: ExecContext = {
    client: opts.client,
    manifest: opts.manifest,
    concurrency,
    emit,
    projectIds: new Map(),
    experimentIds: new Map(),
    createdCodes: new Map(),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    newestCreatedAt: live.newestCreatedAt,
  };
  for (const [key, p] of live.projects) if (p) ctx.projectIds.set(key, p.id);
  for (const [key, le] of live.experiments) ctx.experimentIds.set(key, le.experiment.id);

  emit({ type: 'apply.start', total: plan.actions.length });
  const results = await runActions(plan.actions, steps, ctx, {
    concurrency,
    continueOnError: opts.continueOnError ?? false,
  });
  const summary = {
    ok: results.filter((r) => r.status === 'ok').length,
    failed: results.filter((r) => r.status === 'failed').length,
    skipped: results.filter((r) => r.status === 'skipped').length,
  };
  const result: ApplyResult = {
    formatVersion: 1,
    stack: plan.stack,
    fingerprint: plan.fingerprint,
    results,
    summary,
    created: [...(ctx.createdCodes ?? [])].map(([key, code]) => ({ key, code })),
    success: summary.failed === 0 && summary.skipped === 0,
  };
  return { plan, result };
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
  const n = actions.length;
  const indexOf = new Map(actions.map((a, i) => [a.id, i]));
  const results: ActionResult[] = new Array<ActionResult>(n);
  const finished: boolean[] = new Array<boolean>(n).fill(false);
  /** 1 once an action has been handed out or queued, so it starts at most once. */
  const taken = new Uint8Array(n);
  /** Unfinished distinct dependencies of each action. */
  const waiting: number[] = new Array<number>(n).fill(0);
  /** Actions to revisit when this one finishes. */
  const dependents: (number[] | undefined)[] = new Array<number[] | undefined>(n);
  for (let i = 0; i < n; i++) {
    const seen = new Set<number>();
    for (const id of actions[i].dependsOn) {
      const d = indexOf.get(id);
      if (d === undefined || seen.has(d)) continue;
      seen.add(d);
      waiting[i]++;
      (dependents[d] ??= []).push(i);
    }
  }
  let stopped = false;

  const finish = (r: ActionResult) => {
    ctx.emit({ type: 'action.finish', result: r });
    return r;
  };
  const base = (a: PlanAction) => ({ actionId: a.id, type: a.type, op: a.op, target: a.target });
  // Literals, not `{ ...base(a), … }`: V8 gives each object built by a spread plus new fields its own
  // hidden class (about 250 bytes), and an apply of 10,000 experiments keeps 30,000 results.
  const skip = (a: PlanAction, message: string) =>
    finish({
      actionId: a.id,
      type: a.type,
      op: a.op,
      target: a.target,
      status: 'skipped',
      message,
      durationMs: 0,
    });

  const execute = async (a: PlanAction): Promise<ActionResult> => {
    if (stopped)
      return skip(a, 'not started: apply stopped at the first failure (use continue-on-error to go on)');
    const step = steps.get(a.id);
    ctx.emit({ type: 'action.start', action: a });
    const started = Date.now();
    try {
      if (!step) throw new Error(`internal: no step for ${a.id}`);
      await executeStep(step, ctx);
      const durationMs = Date.now() - started;
      return finish({ actionId: a.id, type: a.type, op: a.op, target: a.target, status: 'ok', durationMs });
    } catch (err) {
      // An unknown outcome is reported, not a reason to stop independent work (the run still fails).
      if (!opts.continueOnError && !(err instanceof OutcomeUnknownError)) stopped = true;
      const mayHaveCommitted =
        typeof err === 'object' &&
        err !== null &&
        (err as { mayHaveCommitted?: unknown }).mayHaveCommitted === true;
      return finish({
        ...base(a),
        status: 'failed',
        message: errorLine(err),
        ...(mayHaveCommitted ? { mayHaveCommitted } : {}),
        durationMs: Date.now() - started,
      });
    }
  };

  return new Promise<ActionResult[]>((resolve, reject) => {
    let active = 0;
    let done = 0;
    let cursor = 0;
    let failure: { err: unknown } | undefined;
    let ready: number[] = [];
    let readyAt = 0;

    const complete = (i: number, r: ActionResult | undefined) => {
      if (r) results[i] = r;
      finished[i] = true;
      done++;
      for (const j of dependents[i] ?? []) if (--waiting[j] === 0) unblocked(j);
      dependents[i] = undefined;
    };
    // All dependencies finished: skip it when one did not succeed, else it may start.
    const unblocked = (j: number) => {
      const a = actions[j];
      taken[j] = 1;
      for (const id of a.dependsOn) {
        const d = indexOf.get(id);
        if (d === undefined) continue;
        const r = results[d];
        if (r === undefined) return complete(j, undefined); // the apply has already failed
        if (r.status !== 'ok')
          return complete(
            j,
            skip(
              a,
              `not started: dependency ${r.actionId} ${r.status === 'failed' ? 'failed' : 'was skipped'}`,
            ),
          );
      }
      ready.push(j);
    };
    const next = (): number => {
      if (readyAt < ready.length) {
        const j = ready[readyAt++];
        if (readyAt === ready.length) {
          ready = [];
          readyAt = 0;
        }
        return j;
      }
      while (cursor < n) {
        const i = cursor++;
        if (waiting[i] === 0 && !taken[i]) {
          taken[i] = 1;
          return i;
        }
      }
      return -1;
    };
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
          const i = next();
          if (i < 0) break;
          active++;
          execute(actions[i]).then(
            (r) => settle(i, r),
            (err: unknown) => {
              failure ??= { err };
              settle(i, undefined);
            },
          );
        }
        if (!failure && active === 0 && done < n) {
          // Only a dependency cycle leaves actions that can never start.
          for (let i = 0; i < n; i++)
            if (!finished[i]) complete(i, skip(actions[i], 'not started: its dependencies form a cycle'));
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
