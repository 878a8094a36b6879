// Design data (one payload per experiment) and analysis results (one per experiment and plugin).
// Both saves are PUT upserts.
import type { JsonValue } from '../../client/models.js';
import type { App, Handler } from '../context.js';
import { BodyReader, QueryReader, iso } from '../context.js';
import { json, noContent, notFound } from '../http.js';
import type { StoredExperiment } from '../store.js';
import { assertWritable, findExperiment } from './experiments.js';

function designView(e: StoredExperiment, app: App) {
  const d = app.store.state.design[e.id];
  if (!d) throw notFound(`Experiment ${e.experiment_code} has no design data`);
  return {
    experiment_id: e.id,
    plugin_id: d.plugin_id,
    data: d.data,
    schema_version: d.schema_version,
    created_at: d.created_at,
    updated_at: d.updated_at,
  };
}

const getDesign: Handler = (ctx, app) => json(200, designView(findExperiment(app, ctx), app));

const saveDesign: Handler = async (ctx, app) => {
  const e = findExperiment(app, ctx);
  const b = new BodyReader(ctx.body);
  const pluginId = b.string('plugin_id', { required: true, nonEmpty: true });
  const version = b.string('schema_version');
  if (!b.has('data')) b.issues.push({ loc: ['body', 'data'], msg: 'Field required', type: 'missing' });
  b.done();
  assertWritable(ctx, e);
  const now = iso(app);
  const prev = app.store.state.design[e.id];
  app.store.state.design[e.id] = {
    plugin_id: pluginId as string,
    data: b.obj.data as JsonValue,
    schema_version: version ?? '1.0',
    created_at: prev?.created_at ?? now,
    updated_at: now,
  };
  e.updated_at = now;
  await app.store.commit();
  return json(200, designView(e, app));
};

const deleteDesign: Handler = async (ctx, app) => {
  const e = findExperiment(app, ctx);
  if (!app.store.state.design[e.id]) throw notFound(`Experiment ${e.experiment_code} has no design data`);
  assertWritable(ctx, e);
  delete app.store.state.design[e.id];
  e.updated_at = iso(app);
  await app.store.commit();
  return noContent();
};

interface TreeNode {
  key: string;
  path: string;
  type: 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null';
  value?: string | number | boolean | null;
  children?: TreeNode[];
}

function toTree(key: string, path: string, v: JsonValue): TreeNode {
  if (Array.isArray(v))
    return { key, path, type: 'array', children: v.map((x, i) => toTree(String(i), `${path}[${i}]`, x)) };
  if (v !== null && typeof v === 'object') {
    return {
      key,
      path,
      type: 'object',
      children: Object.entries(v).map(([k, x]) => toTree(k, path ? `${path}.${k}` : k, x)),
    };
  }
  return { key, path, type: v === null ? 'null' : (typeof v as 'string' | 'number' | 'boolean'), value: v };
}

function countNodes(n: TreeNode): number {
  return 1 + (n.children ?? []).reduce((s, c) => s + countNodes(c), 0);
}

const tree: Handler = (ctx, app) => {
  const d = designView(findExperiment(app, ctx), app);
  return json(200, {
    experiment_id: d.experiment_id,
    plugin_id: d.plugin_id,
    tree: toTree('data', '', d.data),
  });
};

const summary: Handler = (ctx, app) => {
  const d = designView(findExperiment(app, ctx), app);
  const data = d.data;
  return json(200, {
    experiment_id: d.experiment_id,
    plugin_id: d.plugin_id,
    schema_version: d.schema_version,
    updated_at: d.updated_at,
    size_bytes: Buffer.byteLength(JSON.stringify(data)),
    node_count: countNodes(toTree('data', '', data)),
    top_level_keys:
      data !== null && typeof data === 'object' && !Array.isArray(data) ? Object.keys(data) : [],
  });
};

const csvCell = (v: unknown): string => {
  const s = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** Rows when the data is (or holds) a list of objects; else one `path,value` row per leaf. */
function toCsv(data: JsonValue): string {
  const rows = Array.isArray(data)
    ? data
    : data !== null && typeof data === 'object'
      ? Object.values(data).find(
          (v) => Array.isArray(v) && v.every((x) => x !== null && typeof x === 'object' && !Array.isArray(x)),
        )
      : undefined;
  if (
    Array.isArray(rows) &&
    rows.length &&
    rows.every((x) => x !== null && typeof x === 'object' && !Array.isArray(x))
  ) {
    const cols = [...new Set(rows.flatMap((r) => Object.keys(r as object)))];
    const lines = rows.map((r) => cols.map((c) => csvCell((r as Record<string, unknown>)[c])).join(','));
    return [cols.map(csvCell).join(','), ...lines].join('\n') + '\n';
  }
  const leaves: string[] = ['path,value'];
  const walk = (n: TreeNode): void => {
    if (n.children) n.children.forEach(walk);
    else leaves.push(`${csvCell(n.path)},${csvCell(n.value)}`);
  };
  walk(toTree('data', '', data));
  return leaves.join('\n') + '\n';
}

const exportDesign: Handler = (ctx, app) => {
  const q = new QueryReader(ctx.query);
  const format = q.oneOf('format', ['json', 'csv'] as const) ?? 'json';
  q.done();
  const e = findExperiment(app, ctx);
  const d = designView(e, app);
  const filename = `${e.experiment_code}-design.${format}`;
  const disposition = { 'content-disposition': `attachment; filename="${filename}"` };
  if (format === 'csv')
    return {
      status: 200,
      raw: toCsv(d.data),
      headers: { ...disposition, 'content-type': 'text/csv; charset=utf-8' },
    };
  return { status: 200, body: d, headers: disposition };
};

function resultView(e: StoredExperiment, pluginId: string, app: App) {
  const r = app.store.state.results[e.id]?.[pluginId];
  if (!r) throw notFound(`Experiment ${e.experiment_code} has no result for analysis plugin ${pluginId}`);
  return {
    experiment_id: e.id,
    plugin_id: pluginId,
    result: r.result,
    created_at: r.created_at,
    updated_at: r.updated_at,
  };
}

const listResults: Handler = (ctx, app) => {
  const e = findExperiment(app, ctx);
  const ids = Object.keys(app.store.state.results[e.id] ?? {}).sort();
  return json(200, { results: ids.map((p) => resultView(e, p, app)) });
};

const getResult: Handler = (ctx, app) =>
  json(200, resultView(findExperiment(app, ctx), ctx.params.plugin_id, app));

const saveResult: Handler = async (ctx, app) => {
  const e = findExperiment(app, ctx);
  const b = new BodyReader(ctx.body);
  if (!b.issues.length && !b.has('result'))
    b.issues.push({ loc: ['body', 'result'], msg: 'Field required', type: 'missing' });
  b.done();
  assertWritable(ctx, e);
  const pluginId = ctx.params.plugin_id;
  const byPlugin = (app.store.state.results[e.id] ??= {});
  const now = iso(app);
  byPlugin[pluginId] = {
    result: b.obj.result as JsonValue,
    created_at: byPlugin[pluginId]?.created_at ?? now,
    updated_at: now,
  };
  await app.store.commit();
  return json(200, resultView(e, pluginId, app));
};

const deleteResult: Handler = async (ctx, app) => {
  const e = findExperiment(app, ctx);
  const pluginId = ctx.params.plugin_id;
  resultView(e, pluginId, app);
  assertWritable(ctx, e);
  const byPlugin = app.store.state.results[e.id];
  delete byPlugin[pluginId];
  if (Object.keys(byPlugin).length === 0) delete app.store.state.results[e.id];
  await app.store.commit();
  return noContent();
};

export const dataHandlers: Record<string, Handler> = {
  'design.get': getDesign,
  'design.save': saveDesign,
  'design.delete': deleteDesign,
  'design.tree': tree,
  'design.summary': summary,
  'design.export': exportDesign,
  'results.list': listResults,
  'results.get': getResult,
  'results.save': saveResult,
  'results.delete': deleteResult,
};
