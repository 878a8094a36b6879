// What a strict sandbox does with the parts of the contract graded I (inferred): list filters that
// only the Python client's signature suggests are ignored, as a server that does not know them would.
import type { App } from '../context.js';
import type { StoredExperiment } from '../store.js';

/** Experiment list filters graded I in ../shared/mint-api.md. */
export const INFERRED_EXPERIMENT_FILTERS = ['project_id', 'mine', 'created_before', 'created_by'] as const;

export function withoutInferredFilters<T extends object>(filters: T): T {
  const out = { ...filters } as Record<string, unknown>;
  for (const key of INFERRED_EXPERIMENT_FILTERS) delete out[key];
  return out as T;
}

/** `created_by` matches the creator's user id (what MINT sends) or username. */
export function createdBy(app: App, e: StoredExperiment, wanted: string): boolean {
  return e.created_by === wanted || String(app.store.state.users[e.created_by]?.id) === wanted;
}
