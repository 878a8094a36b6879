// POST /_sandbox/seed: fills the sandbox with experiments of other people fast (the platform-size
// ownership scan of the bench), without a request per experiment.
import type { JsonObject } from '../client/models.js';
import type { App } from './context.js';
import { iso } from './context.js';
import { allocateCode, forgetCreatedIndex } from './handlers/experiments.js';
import { HttpError } from './http.js';
import type { StoredExperiment } from './store.js';

export interface SeedRequest {
  /** How many experiments to add. */
  experiments: number;
  /** Spread over this many new projects named "Seeded project N" (default 10). */
  projects?: number;
}

const TYPES = ['general', 'lcms_batch', 'drug_response', 'cell_culture'];
const STATUSES = ['planned', 'ongoing', 'completed', 'cancelled'] as const;
const MAX_SEED = 1_000_000;

function readSeed(body: unknown): Required<SeedRequest> {
  const b = (body ?? {}) as Partial<SeedRequest>;
  const n = b.experiments;
  const p = b.projects ?? 10;
  if (!Number.isInteger(n) || (n as number) < 0 || (n as number) > MAX_SEED)
    throw new HttpError(
      400,
      'VALIDATION_ERROR',
      `Body must be {"experiments": 0..${MAX_SEED}, "projects"?: N}`,
    );
  if (!Number.isInteger(p) || p < 1 || p > 10_000)
    throw new HttpError(400, 'VALIDATION_ERROR', '"projects" must be a whole number in 1..10000');
  return { experiments: n as number, projects: p };
}

/**
 * Adds projects and experiments created "before now" (one second apart, ending a minute ago) by a
 * user "someone-else". Every third carries another stack's ownership tags, the rest a plain tag.
 */
export async function seedForeign(
  app: App,
  body: unknown,
): Promise<{ projects: number[]; experiments: number }> {
  const { experiments: n, projects: k } = readSeed(body);
  const state = app.store.state;
  const now = app.now();
  const stamp = iso(app);
  const projectIds: number[] = [];
  for (let j = 0; j < k; j++) {
    const id = ++state.seq.project;
    state.projects[id] = {
      id,
      name: `Seeded project ${id}`,
      description: null,
      status: 'active',
      created_by: 'someone-else',
      created_at: stamp,
      updated_at: stamp,
      members: [],
    };
    projectIds.push(id);
  }
  for (let i = 0; i < n; i++) {
    const type = TYPES[i % TYPES.length];
    const created = new Date(now - 60_000 - (n - i) * 1000).toISOString();
    const tags: JsonObject =
      i % 3 === 0
        ? { 'mint-manifest.stack': `other-${i % 7}`, 'mint-manifest.key': `k${i}` }
        : { owner: `user-${i % 50}` };
    const e: StoredExperiment = {
      id: ++state.seq.experiment,
      experiment_code: allocateCode(app, type),
      name: `Seeded experiment ${i}`,
      experiment_type: type,
      status: STATUSES[i % STATUSES.length],
      project_id: projectIds[i % k],
      notes: i % 2 === 0 ? `notes of seeded experiment ${i}` : null,
      tags,
      custom_metadata: {},
      parent_experiment_id: null,
      start_date: null,
      end_date: null,
      created_by: 'someone-else',
      created_at: created,
      updated_at: created,
    };
    state.experiments[e.id] = e;
  }
  forgetCreatedIndex(app);
  await app.store.commit();
  return { projects: projectIds, experiments: n };
}
