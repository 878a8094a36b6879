// apply(): plan afresh, refuse when the reviewed plan no longer holds, then carry out the actions in
// dependency order with bounded concurrency.
import type { MintClient } from '../client/index.js';
import type { ResolvedManifest } from '../manifest/model.js';
import { staleObjects, type ActionStep } from './build.js';
import { FingerprintMismatchError, MaxDeletesError, OperationError, PlanStaleError } from './errors.js';
import { executeStep, type ExecContext } from './execute.js';
import { createLimiter } from './limiter.js';
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
    if (stale.length > 0) throw new PlanStaleError(stale);
    if (saved.fingerprint !== plan.fingerprint)
      throw new FingerprintMismatchError(saved.fingerprint, plan.fingerprint);
  }
  if (
    opts.expectedFingerprint !== undefined &&
    !fingerprintMatches(opts.expectedFingerprint, plan.fingerprint)
  ) {
    throw new FingerprintMismatchError(opts.expectedFingerprint, plan.fingerprint);
  }
  const maxDeletes = opts.maxDeletes ?? DEFAULT_MAX_DELETES;
  const deletes = plan.actions.filter((a) => a.type === 'experiment' && a.op === 'delete').length;
  if (deletes > maxDeletes) throw new MaxDeletesError(deletes, maxDeletes);

  const ctx: ExecContext = {
    client: opts.client,
    manifest: opts.manifest,
    concurrency,
    emit,
    projectIds: new Map(),
    experimentIds: new Map(),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  };
  for (const [key, p] of live.projects) if (p) ctx.projectIds.set(key, p.id);
  for (const [key, le] of live.experiments) ctx.experimentIds.set(key, le.experiment.id);

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
    success: summary.failed === 0 && summary.skipped === 0,
  };
  return { plan, result };
}

async function runActions(
  actions: PlanAction[],
  steps: Map<string, ActionStep>,
  ctx: ExecContext,
  opts: { concurrency: number; continueOnError: boolean },
): Promise<ActionResult[]> {
  const byId = new Map(actions.map((a) => [a.id, a]));
  const limit = createLimiter(opts.concurrency);
  const running = new Map<string, Promise<ActionResult>>();
  let stopped = false;

  const finish = (r: ActionResult) => {
    ctx.emit({ type: 'action.finish', result: r });
    return r;
  };
  const base = (a: PlanAction) => ({ actionId: a.id, type: a.type, op: a.op, target: a.target });
  const skip = (a: PlanAction, message: string) =>
    finish({ ...base(a), status: 'skipped', message, durationMs: 0 });

  const run = (a: PlanAction): Promise<ActionResult> => {
    const existing = running.get(a.id);
    if (existing) return existing;
    const p = (async () => {
      const deps = await Promise.all(a.dependsOn.flatMap((id) => (byId.has(id) ? [run(byId.get(id)!)] : [])));
      const blocked = deps.find((d) => d.status !== 'ok');
      if (blocked)
        return skip(
          a,
          `not started: dependency ${blocked.actionId} ${blocked.status === 'failed' ? 'failed' : 'was skipped'}`,
        );
      return limit(async () => {
        if (stopped)
          return skip(a, 'not started: apply stopped at the first failure (use continue-on-error to go on)');
        const step = steps.get(a.id);
        ctx.emit({ type: 'action.start', action: a });
        const started = Date.now();
        try {
          if (!step) throw new Error(`internal: no step for ${a.id}`);
          await executeStep(step, ctx);
          return finish({ ...base(a), status: 'ok', durationMs: Date.now() - started });
        } catch (err) {
          if (!opts.continueOnError) stopped = true;
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
      });
    })();
    running.set(a.id, p);
    return p;
  };
  return Promise.all(actions.map(run));
}

function errorLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.replace(/\s+/g, ' ').trim() || 'unknown error';
}
