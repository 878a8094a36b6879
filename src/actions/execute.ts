// Carries out one plan action against MINT, safely: creates never sent twice, re-read before updates,
// ownership re-checked before deletes.
import type { MintClient } from '../client/index.js';
import type { Experiment, ExperimentUpdate, Project } from '../client/models.js';
import { STACK_TAG } from '../manifest/model.js';
import type { ExperimentSpec, ProjectSpec, ResolvedManifest } from '../manifest/model.js';
import type { ActionStep } from './build.js';
import { createBody, experimentWrites, hasWrites, type ExperimentWrites } from './diff.js';
import { deleteEmptyDuplicate } from './dedupe.js';
import { findOwnedExperiment, isNotFound, ownedBy } from './read.js';
import type { EventSink } from './types.js';

/** Attempts for a write the client will not repeat itself (POST/PATCH that may have been stored). */
const WRITE_ATTEMPTS = 4;

export class ActionRefusedError extends Error {}

export interface ExecContext {
  client: MintClient;
  manifest: ResolvedManifest;
  concurrency: number;
  emit: EventSink;
  /** Project key → id (live ones up front; created ones as they are created). */
  projectIds: Map<string, number>;
  /** Experiment key → id (matched ones up front; created ones as they are created). */
  experimentIds: Map<string, number>;
  /** Experiment key → code of the experiments this apply created (reported to the user). */
  experimentCodes: Map<string, string>;
  /** Experiments known to be ours in this apply (created, updated, adopted or read back once). */
  verified: Set<string>;
  /** Ownership reads in flight, so concurrent writes to one experiment read it once. */
  verifying: Map<string, Promise<void>>;
  sleep: (ms: number) => Promise<void>;
  /** The newest created_at of the plan's ownership scan: lookups after an ambiguous create read only newer. */
  newestCreatedAt?: string;
  /** How long to look for a create whose outcome is unknown; default graceFor(client). */
  graceMs?: number;
}

function errInfo(err: unknown): { status?: number; mayHaveCommitted: boolean } {
  if (typeof err !== 'object' || err === null) return { mayHaveCommitted: false };
  const e = err as { status?: unknown; mayHaveCommitted?: unknown };
  return {
    status: typeof e.status === 'number' ? e.status : undefined,
    mayHaveCommitted: e.mayHaveCommitted === true,
  };
}

/** Worth another try after the client gave up: lost connection, timeout, 429, 5xx. */
function transient(err: unknown): boolean {
  const { status, mayHaveCommitted } = errInfo(err);
  if (mayHaveCommitted) return true;
  return status === 0 || status === 429 || (status !== undefined && status >= 500);
}

const backoff = (attempt: number) => Math.min(2000, 100 * 2 ** attempt);

/** How long to wait before trying a write again: the server's Retry-After on a 429, else backoff. */
function waitFor(err: unknown, attempt: number): number {
  const after = (err as { retryAfterMs?: unknown } | null)?.retryAfterMs;
  if (errInfo(err).status === 429 && typeof after === 'number') return Math.min(Math.max(after, 0), 30_000);
  return backoff(attempt);
}

/** A 429 on POST/PATCH is refused before anything is stored, and the client does not retry it. */
function rateLimited(err: unknown): boolean {
  return errInfo(err).status === 429;
}

export async function executeStep(step: ActionStep, ctx: ExecContext): Promise<void> {
  switch (step.kind) {
    case 'project.create':
      return createProject(step.spec, ctx);
    case 'project.update':
      await ctx.client.projects.update(step.project.id, { description: step.spec.description ?? null });
      return;
    case 'experiment.create':
      await createExperiment(step.spec, ctx);
      return markVerified(step.spec, ctx);
    case 'experiment.update':
      await updateExperiment(step.spec, step.live.experiment, step.adopt, ctx);
      return markVerified(step.spec, ctx);
    case 'experiment.status':
      return finishStatus(step.spec, ctx);
    case 'experiment.delete':
      return deleteOrphan(step.orphan.experiment, step.orphan.key, ctx);
    case 'experiment.dedupe':
      return deleteEmptyDuplicate(ctx.client, ctx.manifest.stack, step.key, step.experiment);
    case 'design.save':
      return saveDesign(step, ctx);
    case 'design.delete':
      return ignoreNotFound(
        ctx.client.experiments.designData.delete(await ownedExperimentId(step.spec, ctx)),
      );
    case 'analysis.save':
      await ctx.client.experiments.analysis.save(
        await ownedExperimentId(step.spec, ctx),
        step.analysis.plugin_id,
        step.analysis.result ?? null,
      );
      return;
    case 'analysis.delete':
      return ignoreNotFound(
        ctx.client.experiments.analysis.delete(await ownedExperimentId(step.spec, ctx), step.pluginId),
      );
  }
}

async function saveDesign(
  step: Extract<ActionStep, { kind: 'design.save' }>,
  ctx: ExecContext,
): Promise<void> {
  const { plugin_id, data } = step.design;
  // A left-out schema_version is not managed: send the live one again (PUT would reset it to "1.0").
  const schema_version = step.design.schema_version ?? step.keepVersion;
  await ctx.client.experiments.designData.save(await ownedExperimentId(step.spec, ctx), {
    plugin_id,
    data,
    ...(schema_version !== undefined ? { schema_version } : {}),
  });
}

/** This apply created, updated or adopted the experiment: it is ours, no need to read it again. */
function markVerified(spec: ExperimentSpec, ctx: ExecContext): void {
  ctx.verified.add(spec.key);
}

/**
 * The experiment's id, once it is known to still carry this stack's and key's tags: design data and
 * results are written only to an experiment that is still ours (checked once per apply).
 */
async function ownedExperimentId(spec: ExperimentSpec, ctx: ExecContext): Promise<number> {
  const id = experimentId(spec, ctx);
  if (ctx.verified.has(spec.key)) return id;
  let check = ctx.verifying.get(spec.key);
  if (!check) {
    check = ctx.client.experiments
      .get(id)
      .then((fresh) => assertStillOurs(fresh, spec, ctx.manifest.stack, false));
    ctx.verifying.set(spec.key, check);
    // a settled check is remembered as a key (ours) or stays a rejected promise (not ours)
    check.then(
      () => {
        ctx.verified.add(spec.key);
        ctx.verifying.delete(spec.key);
      },
      () => undefined,
    );
  }
  await check;
  return id;
}

async function ignoreNotFound(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

function experimentId(spec: ExperimentSpec, ctx: ExecContext): number {
  const id = ctx.experimentIds.get(spec.key);
  if (id === undefined)
    throw new ActionRefusedError(`experiment ${spec.key} has no MINT id (it was not created)`);
  return id;
}

function projectIdFor(spec: ExperimentSpec, ctx: ExecContext): number | undefined {
  if (spec.project === undefined) return undefined;
  const ps = ctx.manifest.projects.find((p) => p.key === spec.project);
  if (ps?.id !== undefined) return ps.id;
  const id = ctx.projectIds.get(spec.project);
  if (id === undefined)
    throw new ActionRefusedError(`project ${spec.project} has no MINT id (it was not created)`);
  return id;
}

/**
 * A create whose outcome is unknown and that was not found within the grace period. It is never sent
 * again in the same run (a late commit would then leave two); the next run's ownership scan finds it.
 */
export class OutcomeUnknownError extends Error {
  override name = 'OutcomeUnknownError';
  readonly mayHaveCommitted = true;
  constructor(what: string, cause: unknown, waitedMs: number) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(
      `outcome unknown: run apply again; it will find the ${what} if MINT stored it (the create got: ${why}; not found within ${(waitedMs / 1000).toFixed(1)} s)`,
    );
  }
}

/** How long to look for a create whose outcome is unknown: 3× the request timeout (a late commit). */
export function graceFor(client: MintClient): number {
  return 3 * client.requestTimeoutMs;
}

/**
 * A POST that is never sent twice once it may have reached MINT: MINT assigns a new id (and code)
 * each time. A 429 (refused before anything was stored) is waited out and sent again. Any failure
 * that may have been stored (timeout, reset after sending, 5xx, a 2xx without an id) polls `lookup`
 * with backoff for the grace period; found → adopted; not found → OutcomeUnknownError.
 */
async function createNoResend<T>(
  what: string,
  create: () => Promise<T>,
  lookup: () => Promise<T | undefined>,
  ctx: ExecContext,
): Promise<T> {
  let cause: unknown;
  for (let attempt = 1; ; attempt++) {
    try {
      return await create();
    } catch (err) {
      if (rateLimited(err) && attempt < WRITE_ATTEMPTS) {
        await ctx.sleep(waitFor(err, attempt));
        continue;
      }
      if (!errInfo(err).mayHaveCommitted) throw err;
      cause = err;
      break;
    }
  }
  const grace = ctx.graceMs ?? graceFor(ctx.client);
  const started = Date.now();
  for (let poll = 0; ; poll++) {
    try {
      const found = await lookup();
      if (found) return found;
    } catch (err) {
      // A failed lookup proves nothing either way: keep polling within the grace period.
      ctx.emit({ type: 'log', level: 'debug', message: `lookup of the ${what} failed: ${String(err)}` });
    }
    const left = grace - (Date.now() - started);
    if (left <= 0) throw new OutcomeUnknownError(what, cause, Date.now() - started);
    await ctx.sleep(Math.min(left, Math.min(5000, 250 * 2 ** poll)));
  }
}

async function createProject(spec: ProjectSpec, ctx: ExecContext): Promise<void> {
  const name = spec.name ?? spec.key;
  const body = { name, ...(spec.description !== undefined ? { description: spec.description } : {}) };
  const project: Project = await createNoResend(
    'project',
    () => ctx.client.projects.create(body),
    async () => {
      const hits = await ctx.client.projects.list({ search: name });
      return hits.filter((p) => p.name === name).sort((a, b) => a.id - b.id)[0];
    },
    ctx,
  );
  ctx.projectIds.set(spec.key, project.id);
}

async function createExperiment(spec: ExperimentSpec, ctx: ExecContext): Promise<void> {
  const stack = ctx.manifest.stack;
  const projectId = projectIdFor(spec, ctx);
  const body = createBody(spec, stack, projectId);
  let announced = false;
  const created: Experiment = await createNoResend(
    'experiment',
    () => ctx.client.experiments.create(body),
    async () => {
      if (!announced) {
        announced = true;
        ctx.emit({
          type: 'log',
          level: 'info',
          message: `create of ${spec.key} may have been stored; looking it up by its tags (it is not sent again)`,
        });
      }
      const found = await findOwnedExperiment(ctx.client, stack, spec.key, {
        newestCreatedAt: ctx.newestCreatedAt,
        concurrency: ctx.concurrency,
      });
      if (found)
        ctx.emit({
          type: 'log',
          level: 'info',
          message: `found ${found.experiment_code} for ${spec.key}; adopting it`,
        });
      return found;
    },
    ctx,
  );
  ctx.experimentIds.set(spec.key, created.id);
  ctx.experimentCodes.set(spec.key, created.experiment_code);
  await converge(spec, created, projectId, false, ctx);
}

/** The next PATCH towards the manifest: a completed experiment is reopened before fields change. */
function nextPatch(status: Experiment['status'], w: ExperimentWrites): ExperimentUpdate {
  if (w.statuses.length === 0) return w.patch;
  if (status === 'completed') return { status: w.statuses[0] };
  return { ...w.patch, status: w.statuses[0] };
}

/**
 * PATCHes `current` until it matches the spec, one status step at a time. After a failure that may
 * or may not have been stored, it re-reads and recomputes instead of blindly resending.
 */
async function converge(
  spec: ExperimentSpec,
  current: Experiment,
  projectId: number | undefined,
  adopting: boolean,
  ctx: ExecContext,
) {
  const stack = ctx.manifest.stack;
  let exp = current;
  let failures = 0;
  for (let step = 0; step < 12; step++) {
    const writes = experimentWrites(spec, exp, stack, projectId);
    if (!hasWrites(writes)) return;
    try {
      exp = await ctx.client.experiments.update(exp.id, nextPatch(exp.status, writes));
    } catch (err) {
      if (!transient(err) || ++failures >= WRITE_ATTEMPTS) throw err;
      await ctx.sleep(waitFor(err, failures));
      exp = await ctx.client.experiments.get(exp.id);
      assertStillOurs(exp, spec, stack, adopting);
    }
  }
  throw new ActionRefusedError(
    `experiment ${spec.key} did not reach the manifest's state after repeated updates`,
  );
}

function assertStillOurs(exp: Experiment, spec: ExperimentSpec, stack: string, adopting: boolean) {
  const owner = exp.tags?.[STACK_TAG];
  // Adoption may claim an untagged experiment (or re-key one of ours); anything else must be ours.
  if (adopting ? owner === undefined || owner === null || owner === stack : ownedBy(exp, stack, spec.key))
    return;
  const who = typeof owner === 'string' ? `stack "${owner}"` : 'no stack';
  throw new ActionRefusedError(
    `not changed: ${exp.experiment_code} now belongs to ${who}, not to ${stack}/${spec.key}; run plan again`,
  );
}

async function updateExperiment(spec: ExperimentSpec, planned: Experiment, adopt: boolean, ctx: ExecContext) {
  // No ETag on experiments: re-read so a change made since the plan is merged, not clobbered.
  const fresh = await ctx.client.experiments.get(planned.id);
  if (fresh.updated_at !== planned.updated_at) {
    ctx.emit({
      type: 'log',
      level: 'debug',
      message: `${fresh.experiment_code} changed since the plan; recomputing its update`,
    });
  }
  assertStillOurs(fresh, spec, ctx.manifest.stack, adopt);
  ctx.experimentIds.set(spec.key, fresh.id);
  await converge(spec, fresh, projectIdFor(spec, ctx), adopt, ctx);
}

async function finishStatus(spec: ExperimentSpec, ctx: ExecContext) {
  const fresh = await ctx.client.experiments.get(experimentId(spec, ctx));
  assertStillOurs(fresh, spec, ctx.manifest.stack, false);
  await converge(spec, fresh, projectIdFor(spec, ctx), false, ctx);
}

async function deleteOrphan(planned: Experiment, key: string, ctx: ExecContext): Promise<void> {
  let fresh: Experiment;
  try {
    fresh = await ctx.client.experiments.get(planned.id);
  } catch (err) {
    if (isNotFound(err)) return; // already gone
    throw err;
  }
  // Ownership needs both tags: an experiment without our key tag is never deleted.
  if (!key || !ownedBy(fresh, ctx.manifest.stack, key)) {
    throw new ActionRefusedError(
      `not deleted: ${fresh.experiment_code} no longer carries stack ${ctx.manifest.stack}'s tags (key ${key || 'none'})`,
    );
  }
  await ignoreNotFound(ctx.client.experiments.delete(planned.id));
}
