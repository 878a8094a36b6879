// The codes MINT gave the experiments an apply created (issue 15 §5).
import { createLimiter } from '../actions/limiter.js';
import { listExperiments, ownedBy } from '../actions/read.js';
import type { ApplyResult } from '../actions/types.js';
import type { MintClient } from '../client/index.js';
import { KEY_TAG } from '../manifest/model.js';
import type { CreatedExperiment } from './apply-report.js';

/** Creation times are MINT's clock, not ours: look back far enough to cover a skewed clock. */
const CLOCK_SKEW_MS = 60 * 60 * 1000;

/**
 * Each created experiment with its code. Uses the code on the result when the engine reports it;
 * otherwise reads back, once, the experiments MINT created since `startedAt` and matches them by their
 * ownership tags. A failed read never fails the apply: the keys are still listed. `readBack(count)`
 * says whether the codes will be shown at all (a `-q` run with many new experiments only counts them).
 */
export async function createdExperiments(
  client: MintClient,
  result: ApplyResult,
  startedAt: Date,
  concurrency: number,
  readBack: (count: number) => boolean = () => true,
): Promise<{ created: CreatedExperiment[]; readError?: string }> {
  const ok = result.results.filter((r) => r.status === 'ok' && r.actionId.startsWith('experiment.create:'));
  if (ok.length === 0) return { created: [] };
  const known = new Map(ok.filter((r) => r.target.code).map((r) => [r.target.key, r.target.code]));
  if (known.size === ok.length || !readBack(ok.length))
    return { created: ok.map((r) => ({ key: r.target.key, code: r.target.code })) };
  try {
    const since = new Date(startedAt.getTime() - CLOCK_SKEW_MS).toISOString();
    const recent = await listExperiments(client, { created_after: since }, createLimiter(concurrency));
    for (const e of recent.sort((a, b) => a.id - b.id)) {
      const key = e.tags?.[KEY_TAG];
      if (typeof key === 'string' && ownedBy(e, result.stack, key) && !known.has(key))
        known.set(key, e.experiment_code);
    }
    return { created: ok.map((r) => ({ key: r.target.key, code: known.get(r.target.key) })) };
  } catch (err) {
    return {
      created: ok.map((r) => ({ key: r.target.key, code: known.get(r.target.key) })),
      readError: err instanceof Error ? err.message : String(err),
    };
  }
}
