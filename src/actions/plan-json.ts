// The machine-readable plan (docs/plan-json.md): versioned, stable keys, round-trips through a file.
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import { OperationError } from './errors.js';
import planSchemaJson from './plan.schema.json';
import type { Plan } from './types.js';

export const PLAN_FORMAT_VERSION = 1;
/** How many problems of a malformed plan file the error names. */
const MAX_PROBLEMS = 5;

/** The JSON Schema of saved plans (formatVersion 1). */
export const planSchema: Record<string, unknown> = planSchemaJson;

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

let validator: ValidateFunction | undefined;

/** The saved-plan JSON Schema (src/actions/plan.schema.json), compiled once on first use. */
function planValidator(): ValidateFunction {
  validator ??= new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true }).compile(planSchema);
  return validator;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The patterns of plan.schema.json, as a reader would say them. */
const PATTERN_TEXT: Record<string, string> = {
  '#/properties/fingerprint/pattern': 'must be 64 hex digits (a sha256)',
  '#/properties/liveState/additionalProperties/pattern': 'must be "absent" or 64 hex digits (a sha256)',
  '#/$defs/action/properties/id/pattern': 'must look like <type>.<op>:<key>, e.g. experiment.create:batch-01',
};

/** One schema error as a reader says it: `/actions/0/op must be one of create, update, delete (found "x")`. */
function describeSchemaError(e: ErrorObject, data: unknown): string {
  const at = e.instancePath || 'the top level';
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return `${at} has no "${String(params.missingProperty)}"`;
    case 'enum':
      return `${at} must be one of ${(params.allowedValues as unknown[]).map(String).join(', ')}, found ${found(data, e.instancePath)}`;
    case 'type':
      return `${at} must be ${String(params.type)}, found ${found(data, e.instancePath)}`;
    case 'pattern':
      return `${at} ${PATTERN_TEXT[e.schemaPath] ?? `must match ${String(params.pattern)}`}, found ${found(data, e.instancePath)}`;
    default:
      return `${at} ${e.message ?? 'is invalid'}`;
  }
}

/** The value at a JSON pointer, short, for "found …". */
function found(data: unknown, pointer: string): string {
  let v = data;
  for (const part of pointer.split('/').slice(1)) {
    const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
    v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[key] : undefined;
  }
  const text = JSON.stringify(v) ?? 'nothing';
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

/** What no schema can say: action ids are unique and every dependency is one of them. */
function referenceProblems(actions: { id: string; dependsOn: string[] }[]): string[] {
  const ids = new Set<string>();
  const problems: string[] = [];
  actions.forEach((a, i) => {
    if (ids.has(a.id)) problems.push(`/actions/${i}/id repeats "${a.id}"`);
    ids.add(a.id);
  });
  actions.forEach((a, i) =>
    a.dependsOn.forEach((d, j) => {
      if (!ids.has(d))
        problems.push(`/actions/${i}/dependsOn/${j} names "${d}", which is not an action of the plan`);
    }),
  );
  return problems;
}

/**
 * Parses a saved plan and checks it against the plan JSON Schema; throws OperationError naming every
 * problem (up to five) by its JSON pointer.
 */
export function parsePlanJson(text: string): Plan {
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''));
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
  const validate = planValidator();
  const problems = validate(data)
    ? referenceProblems(data.actions as Plan['actions'])
    : [...new Set((validate.errors ?? []).map((e) => describeSchemaError(e, data)))];
  if (problems.length > 0) {
    const shown = problems.slice(0, MAX_PROBLEMS).join('; ');
    const more = problems.length > MAX_PROBLEMS ? ` (and ${problems.length - MAX_PROBLEMS} more)` : '';
    throw new OperationError(
      `the saved plan does not match the plan format (docs/plan-json.md): ${shown}${more}; write it again with plan --out`,
    );
  }
  const plan = data as unknown as Partial<Plan> &
    Pick<Plan, 'stack' | 'fingerprint' | 'actions' | 'liveState' | 'prune'>;
  return {
    formatVersion: 1,
    stack: plan.stack,
    files: plan.files ?? [],
    actions: plan.actions,
    orphans: plan.orphans ?? [],
    ...(plan.duplicates ? { duplicates: plan.duplicates } : {}),
    ...(plan.unkeyed ? { unkeyed: plan.unkeyed } : {}),
    warnings: plan.warnings ?? [],
    summary: plan.summary ?? { create: 0, update: 0, delete: 0, orphaned: 0, unchanged: 0 },
    hasChanges: plan.hasChanges ?? plan.actions.length > 0,
    fingerprint: plan.fingerprint,
    liveState: plan.liveState,
    prune: plan.prune,
    ...(plan.dedupe === true ? { dedupe: true } : {}),
  };
}
