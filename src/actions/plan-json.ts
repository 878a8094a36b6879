// The machine-readable plan (docs/plan-json.md): versioned, stable keys, round-trips through a file.
import { OperationError } from './errors.js';
import type { Plan } from './types.js';

export const PLAN_FORMAT_VERSION = 1;

/** Pretty JSON with a stable key order at the top level (the order docs/plan-json.md lists). */
export function planToJson(plan: Plan): string {
  const ordered: Plan = {
    formatVersion: 1,
    stack: plan.stack,
    fingerprint: plan.fingerprint,
    hasChanges: plan.hasChanges,
    prune: plan.prune,
    ...(plan.dedupe ? { dedupe: true } : {}),
    summary: plan.summary,
    files: plan.files,
    actions: plan.actions,
    orphans: plan.orphans,
    ...(plan.duplicates ? { duplicates: plan.duplicates } : {}),
    ...(plan.unkeyed ? { unkeyed: plan.unkeyed } : {}),
    warnings: plan.warnings,
    liveState: plan.liveState,
  };
  return `${JSON.stringify(ordered, null, 2)}\n`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses a saved plan; throws OperationError naming what is wrong with the file. */
export function parsePlanJson(text: string): Plan {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new OperationError(
      `the saved plan is not valid JSON (${(err as Error).message}); write it again with plan --out`,
    );
  }
  if (!isObject(data))
    throw new OperationError('the saved plan is not a JSON object; write it again with plan --out');
  if (data.formatVersion !== PLAN_FORMAT_VERSION) {
    throw new OperationError(
      `the saved plan has formatVersion ${JSON.stringify(data.formatVersion)}, this tool reads ${PLAN_FORMAT_VERSION}; plan again with this version`,
    );
  }
  const need: [string, (v: unknown) => boolean][] = [
    ['stack', (v) => typeof v === 'string'],
    ['fingerprint', (v) => typeof v === 'string'],
    ['actions', Array.isArray],
    ['liveState', isObject],
    ['prune', (v) => typeof v === 'boolean'],
  ];
  for (const [key, ok] of need) {
    if (!ok(data[key]))
      throw new OperationError(`the saved plan has no valid "${key}"; write it again with plan --out`);
  }
  const actions = data.actions as unknown[];
  actions.forEach((a, i) => {
    if (
      !isObject(a) ||
      typeof a.id !== 'string' ||
      !Array.isArray(a.changes) ||
      !Array.isArray(a.dependsOn)
    ) {
      throw new OperationError(
        `the saved plan's actions[${i}] is malformed; write the plan again with plan --out`,
      );
    }
  });
  return {
    formatVersion: 1,
    stack: data.stack as string,
    files: Array.isArray(data.files) ? (data.files as string[]) : [],
    actions: data.actions as Plan['actions'],
    orphans: Array.isArray(data.orphans) ? (data.orphans as Plan['orphans']) : [],
    ...(Array.isArray(data.duplicates) ? { duplicates: data.duplicates as Plan['duplicates'] } : {}),
    ...(Array.isArray(data.unkeyed) ? { unkeyed: data.unkeyed as Plan['unkeyed'] } : {}),
    warnings: Array.isArray(data.warnings) ? (data.warnings as Plan['warnings']) : [],
    summary: isObject(data.summary)
      ? (data.summary as unknown as Plan['summary'])
      : { create: 0, update: 0, delete: 0, orphaned: 0, unchanged: 0 },
    hasChanges: typeof data.hasChanges === 'boolean' ? data.hasChanges : actions.length > 0,
    fingerprint: data.fingerprint as string,
    liveState: data.liveState as Record<string, string>,
    prune: data.prune as boolean,
    ...(data.dedupe === true ? { dedupe: true } : {}),
  };
}
