// Duplicated keys (two or more experiments carrying one stack + key): what each extra copy holds, and
// the `--dedupe` delete of a copy that holds nothing of its own, re-checked right before it is sent.
import type { MintClient } from '../client/index.js';
import type { Experiment } from '../client/models.js';
import { OperationError } from './errors.js';
import type { Limiter } from '../concurrency.js';
import type { LiveState } from './live.js';
import { isNotFound, ownedBy } from './read.js';

function statusOf(err: unknown): number | undefined {
  const s = (err as { status?: unknown } | null)?.status;
  return typeof s === 'number' ? s : undefined;
}

/**
 * What one experiment holds: "design data" and "result <plugin>" entries (empty = nothing).
 * Undefined when it cannot be told (MINT has no result list): such a copy is never deleted.
 */
export async function contentsOf(
  client: MintClient,
  e: Experiment,
  limit: Limiter = (fn) => fn(),
): Promise<string[] | undefined> {
  const holds: string[] = [];
  if (e.has_design_data !== false) {
    try {
      await limit(() => client.experiments.designData.get(e.id));
      holds.push('design data');
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  try {
    const results = await limit(() => client.experiments.analysis.list(e.id));
    for (const r of results) holds.push(`result ${r.plugin_id}`);
  } catch (err) {
    const status = statusOf(err);
    if (status === 404 || status === 405) return undefined;
    throw err;
  }
  return holds;
}

/** What every extra copy of every duplicated key holds (experiment id → contents). */
export async function readDuplicateContents(
  client: MintClient,
  live: LiveState,
  limit: Limiter,
): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>();
  const extras = [...live.duplicates.values()].flatMap((copies) => copies.slice(1));
  await Promise.all(
    extras.map(async (e) => {
      const holds = await contentsOf(client, e, limit);
      if (holds) out.set(e.id, holds);
    }),
  );
  return out;
}

/**
 * Deletes an extra copy of `key` only if it still carries both ownership tags and still holds no
 * design data or results (someone may have written to it since the plan).
 */
export async function deleteEmptyDuplicate(
  client: MintClient,
  stack: string,
  key: string,
  planned: Experiment,
): Promise<void> {
  let fresh: Experiment;
  try {
    fresh = await client.experiments.get(planned.id);
  } catch (err) {
    if (isNotFound(err)) return; // already gone
    throw err;
  }
  if (!ownedBy(fresh, stack, key))
    throw new OperationError(
      `not deleted: ${fresh.experiment_code} no longer carries ${stack}/${key}'s tags; run plan again`,
    );
  const holds = await contentsOf(client, fresh);
  if (!holds)
    throw new OperationError(
      `not deleted: cannot tell whether ${fresh.experiment_code} holds results (MINT lists none); remove its key tag in MINT instead`,
    );
  if (holds.length > 0)
    throw new OperationError(
      `not deleted: ${fresh.experiment_code} now holds ${holds.join(', ')}; remove its key tag in MINT, or move the data, then run plan again`,
    );
  try {
    await client.experiments.delete(fresh.id);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}
