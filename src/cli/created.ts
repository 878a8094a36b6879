// The codes MINT gave the experiments an apply created (issue 15 §5), as the engine reports them.
import type { ApplyResult } from '../actions/types.js';
import type { CreatedExperiment } from './apply-report.js';

/** Each experiment the apply created, in action order, with the code MINT gave it. */
export function createdExperiments(result: ApplyResult): CreatedExperiment[] {
  const codes = new Map((result.created ?? []).map((c) => [c.key, c.code]));
  return result.results
    .filter((r) => r.status === 'ok' && r.actionId.startsWith('experiment.create:'))
    .map((r) => ({ key: r.target.key, code: codes.get(r.target.key) ?? r.target.code }));
}
