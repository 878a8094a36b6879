// plan(): read live MINT, compare with the manifest, return the ordered actions. Changes nothing.
import type { MintClient } from '../client/index.js';
import type { ResolvedManifest, SourceLocation } from '../manifest/model.js';
import { at, buildPlan, type BuiltPlan } from './build.js';
import { readDuplicateContents } from './dedupe.js';
import { PlanConflictError } from './errors.js';
import { createLimiter } from '../concurrency.js';
import type { LiveState } from './live.js';
import { DEFAULT_CONCURRENCY, readLiveState } from './read.js';
import type { EventSink, Plan, PlanDuplicate } from './types.js';

export interface PlanOptions {
  manifest: ResolvedManifest;
  client: MintClient;
  /** Requests in flight while reading (default 8). */
  concurrency?: number;
  /** Delete orphans (experiments with this stack's tag that the manifest no longer lists). */
  prune?: boolean;
  /** Delete the extra copies of a duplicated key that hold no design data or results; keep the oldest. */
  dedupe?: boolean;
  onEvent?: EventSink;
}

export async function plan(opts: PlanOptions): Promise<Plan> {
  return (await computePlan(opts)).plan;
}

/** The plan plus what apply needs to carry it out. Throws PlanConflictError when it cannot be planned. */
export async function computePlan(opts: PlanOptions): Promise<BuiltPlan & { live: LiveState }> {
  const live = await readLiveState(opts);
  const duplicateContents =
    live.duplicates.size > 0
      ? await readDuplicateContents(opts.client, live, createLimiter(opts.concurrency ?? DEFAULT_CONCURRENCY))
      : undefined;
  const built = buildPlan(opts.manifest, live, { prune: opts.prune, dedupe: opts.dedupe, duplicateContents });
  const problems = [...live.problems.map((p) => locateProblem(p, opts.manifest)), ...built.problems];
  if (problems.length > 0) throw new PlanConflictError(problems);
  return { ...built, live };
}

/**
 * Prefixes a problem found while reading ("experiment KEY: …", "project KEY: …") with the `file:line`
 * of that entry in the manifest, unless it already carries a location.
 */
export function locateProblem(problem: string, manifest: ResolvedManifest): string {
  if (/^[^\s:]+:\d+(:\d+)?: /.test(problem)) return problem;
  const m = /^(experiment|project) ([^\s:]+)/.exec(problem);
  if (!m) return problem;
  const list: { key: string; source: SourceLocation }[] =
    m[1] === 'experiment' ? manifest.experiments : manifest.projects;
  const source = list.find((x) => x.key === m[2])?.source;
  return source ? `${at(source)}: ${problem}` : problem;
}

/** Duplicated keys this plan leaves alone (without `--dedupe`, or with copies that hold data). */
export function unresolvedDuplicates(plan: Plan): PlanDuplicate[] {
  return (plan.duplicates ?? []).filter((d) => !d.resolved);
}

/**
 * Exit code shared by the CLI and the Action: 1 when duplicated keys are left alone (a problem),
 * 2 when the plan would change MINT or orphans are left in place, else 0.
 */
export function planExitCode(plan: Plan): 0 | 1 | 2 {
  if (unresolvedDuplicates(plan).length > 0) return 1;
  return plan.hasChanges ? 2 : 0;
}
