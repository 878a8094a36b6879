// Experiments: type-scoped codes, status rules, filters/search/sort/paging, cascading deletes.
import type { Experiment, ExperimentStatus, ExperimentTypeInfo, JsonObject } from '../../client/models.js';
import { EXPERIMENT_STATUSES } from '../../client/models.js';
import type { App, Ctx, Handler } from '../context.js';
import { BodyReader, QueryReader, currentUser, isAdmin, iso, pathInt } from '../context.js';
import { badRequest, forbidden, json, noContent, notFound } from '../http.js';
import type { StoredExperiment } from '../store.js';
import { createdBy, withoutInferredFilters } from './strict.js';

interface TypeDef extends ExperimentTypeInfo {
  prefix: string;
}

export const EXPERIMENT_TYPES: readonly TypeDef[] = [
  { value: 'general', label: 'General', color: '#6b7280', prefix: 'EXP-' },
  { value: 'lcms_batch', label: 'LC-MS batch', color: '#2563eb', prefix: 'LCM-EXP-' },
  { value: 'gcms_batch', label: 'GC-MS batch', color: '#7c3aed', prefix: 'GCM-EXP-' },
  { value: 'drug_response', label: 'Drug response', color: '#dc2626', prefix: 'DR-' },
  { value: 'cell_culture', label: 'Cell culture', color: '#16a34a', prefix: 'CC-EXP-' },
  { value: 'isotope_tracing', label: 'Isotope tracing', color: '#ea580c', prefix: 'ITR-EXP-' },
];

const codePrefix = (type: string): string => EXPERIMENT_TYPES.find((t) => t.value === type)?.prefix ?? 'EXP-';
const formatCode = (prefix: string, n: number): string => `${prefix}${String(n).padStart(3, '0')}`;

/** The next code for a type; codes are never reused, even after deletes. */
export function allocateCode(app: App, type: string): string {
  const prefix = codePrefix(type);
  const codes = app.store.state.seq.codes;
  codes[prefix] = (codes[prefix] ?? 0) + 1;
  return formatCode(prefix, codes[prefix]);
}

const ALLOWED_MOVES: Record<ExperimentStatus, readonly ExperimentStatus[]> = {
  planned: ['ongoing', 'cancelled'],
  ongoing: ['completed', 'cancelled'],
  completed: ['cancelled'],
  cancelled: ['planned'],
};

export function experimentView(app: App, e: StoredExperiment): Experiment {
  const project = e.project_id !== null ? app.store.state.projects[e.project_id] : undefined;
  return {
    ...e,
    // MINT sends the creator's user id; the store keeps the username (stable across user edits)
    created_by: app.store.state.users[e.created_by]?.id ?? null,
    project: project?.name ?? null,
    tags: e.tags,
    has_design_data: app.store.state.design[e.id] !== undefined,
  };
}

export function findExperiment(app: App, ctx: Ctx): StoredExperiment {
  const id = pathInt(ctx, 'id');
  const e = app.store.state.experiments[id];
  if (!e) throw notFound(`Experiment ${id} not found`);
  return e;
}

/** Completed experiments are read-only to non-admins: every write on them (and their data) is 403. */
export function assertWritable(ctx: Ctx, e: StoredExperiment): void {
  if (e.status === 'completed' && !isAdmin(ctx)) {
    throw forbidden(
      `Experiment ${e.experiment_code} is completed and read-only; only an admin can change it`,
    );
  }
}

function assertProject(app: App, id: number | null | undefined, field: string): void {
  if (id !== null && id !== undefined && !app.store.state.projects[id]) {
    throw badRequest(
      `Project ${id} does not exist (${field}); create it first or use an existing project id`,
      {
        field,
      },
    );
  }
}

function assertParent(app: App, id: number | null | undefined): void {
  if (id !== null && id !== undefined && !app.store.state.experiments[id]) {
    throw badRequest(`Parent experiment ${id} does not exist (parent_experiment_id)`, {
      field: 'parent_experiment_id',
    });
  }
}

const SORT_FIELDS = ['created_at', 'updated_at', 'name', 'status'] as const;

export interface ExperimentQuery {
  status?: ExperimentStatus;
  experiment_type?: string;
  project_id?: number;
  project?: string;
  search?: string;
  mine?: boolean;
  created_after?: number;
  created_before?: number;
  created_by?: string;
  sort_by: (typeof SORT_FIELDS)[number];
  sort_order: 'asc' | 'desc';
  skip: number;
  limit: number;
}

export function readPaging(q: QueryReader): { skip: number; limit: number } {
  return {
    skip: q.int('skip', { min: 0, def: 0 }) ?? 0,
    limit: q.int('limit', { min: 1, max: 1000, def: 100 }) ?? 100,
  };
}

/** Oldest first: created_at, then id (the order of the default scan). */
function createdOrder(a: StoredExperiment, b: StoredExperiment): number {
  return a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : a.id - b.id;
}

/**
 * Every experiment, oldest first, built once and kept until an experiment is deleted; creates append.
 * List pages read from it instead of copying and sorting the whole store per request.
 */
const byCreated = new WeakMap<object, StoredExperiment[]>();

function createdIndex(app: App): StoredExperiment[] {
  const all = app.store.state.experiments;
  let order = byCreated.get(all);
  if (!order) {
    order = Object.values(all).sort(createdOrder);
    byCreated.set(all, order);
  }
  return order;
}

/** After a bulk change of the store (seeding). */
export function forgetCreatedIndex(app: App): void {
  byCreated.delete(app.store.state.experiments);
}

function indexCreated(app: App, e: StoredExperiment): void {
  const order = byCreated.get(app.store.state.experiments);
  if (!order) return;
  const last = order[order.length - 1];
  if (!last || createdOrder(last, e) <= 0) order.push(e);
  else byCreated.delete(app.store.state.experiments);
}

type Row = StoredExperiment;

function experimentFilter(app: App, ctx: Ctx, f: ExperimentQuery): ((e: Row) => boolean) | undefined {
  const projectIds =
    f.project !== undefined
      ? new Set(
          Object.values(app.store.state.projects)
            .filter((p) => p.name === f.project)
            .map((p) => p.id),
        )
      : undefined;
  const needle = f.search?.toLowerCase();
  const me = ctx.auth?.user.username;
  const filters: ((e: Row) => boolean)[] = [];
  if (f.status) filters.push((e) => e.status === f.status);
  if (f.experiment_type) filters.push((e) => e.experiment_type === f.experiment_type);
  if (f.project_id !== undefined) filters.push((e) => e.project_id === f.project_id);
  if (projectIds) filters.push((e) => e.project_id !== null && projectIds.has(e.project_id));
  if (f.mine) filters.push((e) => e.created_by === me);
  if (f.created_by !== undefined) filters.push((e) => createdBy(app, e, f.created_by as string));
  const after = f.created_after;
  if (after !== undefined) filters.push((e) => Date.parse(e.created_at) >= after);
  const before = f.created_before;
  if (before !== undefined) filters.push((e) => Date.parse(e.created_at) <= before);
  if (needle)
    filters.push((e) => `${e.name}\n${e.experiment_code}\n${e.notes ?? ''}`.toLowerCase().includes(needle));
  if (filters.length === 0) return undefined;
  return (e) => filters.every((fn) => fn(e));
}

export function queryExperiments(
  app: App,
  ctx: Ctx,
  f: ExperimentQuery,
): { experiments: Experiment[]; total: number } {
  const keep = experimentFilter(app, ctx, f);
  if (f.sort_by === 'created_at') return pageOfIndex(app, createdIndex(app), keep, f);
  const rows = Object.values(app.store.state.experiments).filter((e) => !keep || keep(e));
  const dir = f.sort_order === 'asc' ? 1 : -1;
  const key = f.sort_by;
  rows.sort((a, b) => {
    const av = a[key];
    const bv = b[key];
    const c = av < bv ? -1 : av > bv ? 1 : a.id - b.id;
    return c * dir;
  });
  return {
    experiments: rows.slice(f.skip, f.skip + f.limit).map((e) => experimentView(app, e)),
    total: rows.length,
  };
}

/** One page of the created-at index, walked in either direction without copying it. */
function pageOfIndex(
  app: App,
  order: StoredExperiment[],
  keep: ((e: Row) => boolean) | undefined,
  f: ExperimentQuery,
): { experiments: Experiment[]; total: number } {
  const asc = f.sort_order === 'asc';
  const at = (i: number) => order[asc ? i : order.length - 1 - i];
  const page: Experiment[] = [];
  if (!keep) {
    for (let i = f.skip; i < Math.min(order.length, f.skip + f.limit); i++)
      page.push(experimentView(app, at(i)));
    return { experiments: page, total: order.length };
  }
  let total = 0;
  for (let i = 0; i < order.length; i++) {
    const e = at(i);
    if (!keep(e)) continue;
    if (total >= f.skip && page.length < f.limit) page.push(experimentView(app, e));
    total++;
  }
  return { experiments: page, total };
}

const list: Handler = (ctx, app) => {
  const q = new QueryReader(ctx.query);
  const filters: ExperimentQuery = {
    status: q.oneOf('status', EXPERIMENT_STATUSES),
    experiment_type: q.string('experiment_type'),
    project_id: q.int('project_id', { min: 0 }),
    project: q.string('project'),
    search: q.string('search'),
    mine: q.bool('mine'),
    created_after: q.time('created_after'),
    created_before: q.time('created_before'),
    created_by: q.string('created_by'),
    sort_by: q.oneOf('sort_by', SORT_FIELDS) ?? 'created_at',
    sort_order: q.oneOf('sort_order', ['asc', 'desc'] as const) ?? 'desc',
    ...readPaging(q),
  };
  q.done();
  return json(200, queryExperiments(app, ctx, app.strict ? withoutInferredFilters(filters) : filters));
};

const get: Handler = (ctx, app) => json(200, experimentView(app, findExperiment(app, ctx)));

const create: Handler = async (ctx, app) => {
  const user = currentUser(ctx);
  const b = new BodyReader(ctx.body);
  const name = b.string('name', { required: true, nonEmpty: true });
  const type = b.string('experiment_type', { required: true, nonEmpty: true });
  const projectId = b.int('project_id', { nullable: true });
  const notes = b.string('notes', { nullable: true });
  const tags = b.jsonObject('tags', { nullable: true });
  const meta = b.jsonObject('custom_metadata', { nullable: true });
  const parent = b.int('parent_experiment_id', { nullable: true });
  const start = b.date('start_date');
  const end = b.date('end_date');
  b.done();
  assertProject(app, projectId, 'project_id');
  assertParent(app, parent);
  const state = app.store.state;
  const now = iso(app);
  const e: StoredExperiment = {
    id: ++state.seq.experiment,
    experiment_code: allocateCode(app, type as string),
    name: name as string,
    experiment_type: type as string,
    status: 'planned',
    project_id: projectId ?? null,
    notes: notes ?? null,
    tags: (tags ?? {}) as JsonObject,
    custom_metadata: (meta ?? {}) as JsonObject,
    parent_experiment_id: parent ?? null,
    start_date: start ?? null,
    end_date: end ?? null,
    created_by: user.user.username,
    created_at: now,
    updated_at: now,
  };
  state.experiments[e.id] = e;
  indexCreated(app, e);
  await app.store.commit();
  return json(201, experimentView(app, e));
};

const update: Handler = async (ctx, app) => {
  const e = findExperiment(app, ctx);
  const b = new BodyReader(ctx.body);
  const name = b.string('name', { nonEmpty: true });
  const status = b.oneOf('status', EXPERIMENT_STATUSES);
  const type = b.string('experiment_type', { nonEmpty: true });
  const projectId = b.int('project_id', { nullable: true });
  const notes = b.string('notes', { nullable: true });
  const tags = b.jsonObject('tags');
  const meta = b.jsonObject('custom_metadata', { nullable: true });
  const start = b.date('start_date');
  const end = b.date('end_date');
  b.done();
  assertWritable(ctx, e);
  if (status !== undefined && status !== e.status && !ALLOWED_MOVES[e.status].includes(status)) {
    const allowed = ALLOWED_MOVES[e.status].join(' or ');
    throw badRequest(
      `Invalid status transition for ${e.experiment_code}: ${e.status} → ${status} (allowed from ${e.status}: ${allowed})`,
      {
        field: 'status',
        from: e.status,
        to: status,
        allowed: ALLOWED_MOVES[e.status],
      },
    );
  }
  assertProject(app, projectId, 'project_id');
  if (name !== undefined) e.name = name as string;
  if (status !== undefined) e.status = status;
  if (type !== undefined) e.experiment_type = type as string;
  if (b.has('project_id')) e.project_id = projectId ?? null;
  if (b.has('notes')) e.notes = notes ?? null;
  if (tags !== undefined) e.tags = tags as JsonObject;
  if (b.has('custom_metadata')) e.custom_metadata = (meta ?? {}) as JsonObject;
  if (b.has('start_date')) e.start_date = start ?? null;
  if (b.has('end_date')) e.end_date = end ?? null;
  e.updated_at = iso(app);
  await app.store.commit();
  return json(200, experimentView(app, e));
};

/** Removes an experiment with its design data and results (no commit). */
export function removeExperiment(app: App, id: number): void {
  const state = app.store.state;
  byCreated.delete(state.experiments);
  delete state.experiments[id];
  delete state.design[id];
  delete state.results[id];
  for (const other of Object.values(state.experiments)) {
    if (other.parent_experiment_id === id) other.parent_experiment_id = null;
  }
}

const remove: Handler = async (ctx, app) => {
  const e = findExperiment(app, ctx);
  assertWritable(ctx, e);
  removeExperiment(app, e.id);
  await app.store.commit();
  return noContent();
};

const types: Handler = () =>
  json(
    200,
    EXPERIMENT_TYPES.map(({ value, label, color }) => ({ value, label, color })),
  );

const nextSeq: Handler = (ctx, app) => {
  const q = new QueryReader(ctx.query);
  const type = q.string('experiment_type');
  if (type === undefined)
    q.issues.push({ loc: ['query', 'experiment_type'], msg: 'Field required', type: 'missing' });
  q.done();
  const prefix = codePrefix(type as string);
  const next = (app.store.state.seq.codes[prefix] ?? 0) + 1;
  return json(200, { experiment_type: type, next_seq: next, next_code: formatCode(prefix, next) });
};

export const experimentHandlers: Record<string, Handler> = {
  'experiments.list': list,
  'experiments.get': get,
  'experiments.create': create,
  'experiments.update': update,
  'experiments.delete': remove,
  'experiments.types': types,
  'experiments.nextSeq': nextSeq,
};
