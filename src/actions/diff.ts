// Field-level diffs between the manifest and live MINT. Only what the manifest sets is compared.
import type {
  AnalysisResult,
  DesignData,
  Experiment,
  ExperimentCreate,
  ExperimentStatus,
  ExperimentUpdate,
  JsonObject,
  JsonValue,
} from '../client/models.js';
import { KEY_TAG, STACK_TAG } from '../manifest/model.js';
import type { AnalysisSpec, DesignSpec, ExperimentSpec } from '../manifest/model.js';
import { datesEqual, jsonEqual, textEqual, toJson } from './canonical.js';
import { OperationError } from './errors.js';
import { impossibleStatusMove, statusPath } from './status.js';
import type { FieldChange } from './types.js';

/**
 * Where the manifest wants an experiment to live: `undefined` = project unmanaged; `id` known;
 * or a project that is created by this plan (id unknown until apply).
 */
export type ProjectTarget = undefined | { id: number; label: string } | { id?: undefined; label: string };

export function ownershipTags(stack: string, key: string): JsonObject {
  return { [STACK_TAG]: stack, [KEY_TAG]: key };
}

/**
 * The tags the manifest sets (user tags + ownership), to compare key by key with live tags. A `null`
 * value means "remove this tag".
 */
export function desiredTags(spec: ExperimentSpec, stack: string): JsonObject {
  return { ...(spec.tags ?? {}), ...ownershipTags(stack, spec.key) };
}

/** The tag dict to store: the tags that stay, without the ones the manifest removes (`null`). */
function storedTags(tags: JsonObject): JsonObject {
  return Object.fromEntries(Object.entries(tags).filter(([, v]) => v !== null));
}

/** Tag changes that make `have` match `want`: a `null` in `want` removes the tag where it is set. */
function tagChanges(have: JsonObject, want: JsonObject): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const [k, v] of Object.entries(want)) {
    if (v === null) {
      if (k in have) changes.push({ field: tagField(k), before: toJson(have[k]) ?? null });
    } else if (!jsonEqual(have[k], v)) {
      changes.push({ field: tagField(k), before: toJson(have[k]), after: toJson(v) });
    }
  }
  return changes;
}

function liveTags(live: Experiment): JsonObject {
  const t = live.tags;
  return t && typeof t === 'object' && !Array.isArray(t) ? t : {};
}

function projectLabel(live: Experiment): JsonValue {
  if (live.project_id === null || live.project_id === undefined) return null;
  return live.project ? String(live.project) : `#${live.project_id}`;
}

const tagFields = new Map<string, string>();

/** `tags.<name>`, one string per tag name however many experiments carry it (10,000 in a big plan). */
function tagField(name: string): string {
  let field = tagFields.get(name);
  if (field === undefined) {
    field = `tags.${name}`;
    if (tagFields.size < 10_000) tagFields.set(name, field);
  }
  return field;
}

/** Field changes (old → new) that would make `live` match `spec`. */
export function diffExperiment(
  spec: ExperimentSpec,
  live: Experiment,
  stack: string,
  project: ProjectTarget,
): FieldChange[] {
  const changes: FieldChange[] = [];
  const push = (field: string, before: unknown, after: unknown) =>
    changes.push({ field, before: toJson(before ?? null), after: toJson(after ?? null) });

  if (spec.name !== undefined && !jsonEqual(live.name, spec.name)) push('name', live.name, spec.name);
  if (spec.experiment_type !== undefined && !jsonEqual(live.experiment_type, spec.experiment_type))
    push('experiment_type', live.experiment_type, spec.experiment_type);
  if (project && (project.id === undefined || live.project_id !== project.id))
    push('project', projectLabel(live), project.label);
  if (spec.status !== undefined && live.status !== spec.status) push('status', live.status, spec.status);
  if (spec.notes !== undefined && !textEqual(live.notes, spec.notes)) push('notes', live.notes, spec.notes);
  for (const field of ['start_date', 'end_date'] as const) {
    if (spec[field] !== undefined && !datesEqual(live[field], spec[field]))
      push(field, live[field], spec[field]);
  }
  changes.push(...tagChanges(liveTags(live), desiredTags(spec, stack)));
  return changes;
}

/** The full new values of an experiment to create (status included: applied after the create). */
export function createChanges(spec: ExperimentSpec, stack: string, project: ProjectTarget): FieldChange[] {
  const changes: FieldChange[] = [{ field: 'name', after: spec.name ?? spec.key }];
  if (spec.experiment_type !== undefined)
    changes.push({ field: 'experiment_type', after: spec.experiment_type });
  if (project) changes.push({ field: 'project', after: project.label });
  if (spec.status !== undefined) changes.push({ field: 'status', after: spec.status });
  if (spec.notes !== undefined && spec.notes !== null) changes.push({ field: 'notes', after: spec.notes });
  for (const field of ['start_date', 'end_date'] as const) {
    const v = spec[field];
    if (v !== undefined && v !== null) changes.push({ field, after: v });
  }
  for (const [k, v] of Object.entries(storedTags(desiredTags(spec, stack))))
    changes.push({ field: tagField(k), after: v });
  return changes;
}

export function createBody(
  spec: ExperimentSpec,
  stack: string,
  projectId: number | undefined,
): ExperimentCreate {
  const body: ExperimentCreate = {
    name: spec.name ?? spec.key,
    experiment_type: spec.experiment_type ?? '',
    tags: storedTags(desiredTags(spec, stack)),
  };
  if (projectId !== undefined) body.project_id = projectId;
  if (spec.notes !== undefined && spec.notes !== null) body.notes = spec.notes;
  if (spec.start_date !== undefined && spec.start_date !== null) body.start_date = spec.start_date;
  if (spec.end_date !== undefined && spec.end_date !== null) body.end_date = spec.end_date;
  return body;
}

export interface ExperimentWrites {
  /** Non-status fields to PATCH (empty object = none). */
  patch: ExperimentUpdate;
  /** Status values to PATCH one after another. */
  statuses: ExperimentStatus[];
}

/**
 * What to send to make `live` match `spec`, recomputed from the freshest read so that a change
 * made since the plan is not clobbered: tags are the live tags merged with ours.
 */
export function experimentWrites(
  spec: ExperimentSpec,
  live: Experiment,
  stack: string,
  projectId: number | undefined,
): ExperimentWrites {
  const patch: ExperimentUpdate = {};
  if (spec.name !== undefined && !jsonEqual(live.name, spec.name)) patch.name = spec.name;
  if (spec.experiment_type !== undefined && !jsonEqual(live.experiment_type, spec.experiment_type))
    patch.experiment_type = spec.experiment_type;
  if (projectId !== undefined && live.project_id !== projectId) patch.project_id = projectId;
  if (spec.notes !== undefined && !textEqual(live.notes, spec.notes)) patch.notes = spec.notes;
  if (spec.start_date !== undefined && !datesEqual(live.start_date, spec.start_date))
    patch.start_date = spec.start_date;
  if (spec.end_date !== undefined && !datesEqual(live.end_date, spec.end_date))
    patch.end_date = spec.end_date;
  const have = liveTags(live);
  const want = desiredTags(spec, stack);
  // PATCH replaces the whole tag dict: send every tag that stays, without the removed ones.
  if (tagChanges(have, want).length > 0) patch.tags = storedTags({ ...have, ...want });
  return { patch, statuses: statusWalk(spec, live) };
}

function statusWalk(spec: ExperimentSpec, live: Experiment): ExperimentStatus[] {
  if (spec.status === undefined) return [];
  const path = statusPath(live.status, spec.status);
  if (path) return path;
  throw new OperationError(
    `not changed: ${live.experiment_code} is ${live.status} in MINT and ${impossibleStatusMove(live.status, spec.status)}; run plan again`,
  );
}

export function hasWrites(w: ExperimentWrites): boolean {
  return Object.keys(w.patch).length > 0 || w.statuses.length > 0;
}

/** Changes to the design data; empty when equal. `live` null = none live. */
export function diffDesign(spec: DesignSpec, live: DesignData | null | undefined): FieldChange[] {
  const version = spec.schema_version; // undefined: not managed
  if (!live) {
    return [
      { field: 'plugin_id', after: spec.plugin_id },
      ...(version !== undefined ? [{ field: 'schema_version', after: version }] : []),
      { field: 'data', after: toJson(spec.data) },
    ];
  }
  const changes: FieldChange[] = [];
  if (live.plugin_id !== spec.plugin_id)
    changes.push({ field: 'plugin_id', before: live.plugin_id, after: spec.plugin_id });
  if (version !== undefined && String(live.schema_version ?? '1.0') !== version)
    changes.push({ field: 'schema_version', before: live.schema_version, after: version });
  if (!jsonEqual(live.data, spec.data))
    changes.push({ field: 'data', before: toJson(live.data), after: toJson(spec.data) });
  return changes;
}

export function deletedDesign(live: DesignData): FieldChange[] {
  return [
    { field: 'plugin_id', before: live.plugin_id },
    { field: 'schema_version', before: live.schema_version },
    { field: 'data', before: toJson(live.data) },
  ];
}

/** Changes to one analysis result; empty when equal or when a delete finds nothing to delete. */
export function diffAnalysis(spec: AnalysisSpec, live: AnalysisResult | null | undefined): FieldChange[] {
  if (spec.result === null) return live ? [{ field: 'result', before: toJson(live.result) }] : [];
  if (live && jsonEqual(live.result, spec.result)) return [];
  return [{ field: 'result', before: live ? toJson(live.result) : undefined, after: toJson(spec.result) }];
}
