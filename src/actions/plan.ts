// plan(): read live MINT, compare with the manifest, return the ordered actions. Changes nothing.
import type { MintClient } from '../client/index.js';
import type { ResolvedManifest } from '../manifest/model.js';
import { buildPlan, type BuiltPlan } from './build.js';
import { PlanConflictError } from './errors.js';
import type { LiveState } from './live.js';
import { readLiveState } from './read.js';
import type { EventSink, Plan } from './types.js';

export interface PlanOptions {
  manifest: ResolvedManifest;
  client: MintClient;
  /** Requests in flight while reading (default 8). */
  concurrency?: number;
  /** Delete orphans (experiments with this stack's tag that the manifest no longer lists). */
  prune?: boolean;
  onEvent?: EventSink;
}

export async function plan(opts: PlanOptions): Promise<Plan> {
  return (await computePlan(opts)).plan;
}

/** The plan plus what apply needs to carry it out. Throws PlanConflictError when it cannot be planned. */
export async function computePlan(opts: PlanOptions): Promise<BuiltPlan & { live: LiveState }> {
  const live = await readLiveState(opts);
  const problems = [...live.problems];
  for (const spec of opts.manifest.experiments) {
    if (!live.experiments.has(spec.key) && spec.experiment_type === undefined && spec.code === undefined) {
      problems.push(
        `experiment ${spec.key} (${spec.source.file}:${spec.source.line}): experiment_type is needed to create it; set it or defaults.experiment_type`,
      );
    }
  }
  if (problems.length > 0) throw new PlanConflictError(problems);
  return { ...buildPlan(opts.manifest, live, { prune: opts.prune }), live };
}

/** Exit code shared by the CLI and the Action: 2 when the plan would change MINT, else 0. */
export function planExitCode(plan: Plan): 0 | 2 {
  return plan.hasChanges ? 2 : 0;
}
