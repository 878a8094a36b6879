// Analysis artifacts (written by plugins; listed, read, annotated, archived and restored through
// the API) and the objects (files) stored with them.
import type { JsonObject } from '../../client/models.js';
import type { App, Ctx, Handler } from '../context.js';
import { BodyReader, QueryReader, currentUser, iso, pathInt } from '../context.js';
import { invalid, json, notFound } from '../http.js';
import type { StoredArtifact } from '../store.js';
import type { ArtifactInput } from '../types.js';
import { assertWritable, findExperiment } from './experiments.js';

function summaryView(a: StoredArtifact) {
  return {
    id: a.id,
    experiment_id: a.experiment_id,
    plugin_id: a.plugin_id,
    artifact_key: a.artifact_key,
    display_name: a.display_name,
    note: a.note,
    status: a.status,
    archived: a.status === 'archived',
    result_keys: Object.keys(a.result),
    created_at: a.created_at,
    updated_at: a.updated_at,
    archived_at: a.archived_at,
    archived_by: a.archived_by,
  };
}

const detailView = (a: StoredArtifact) => ({ ...summaryView(a), result: a.result, tree: [], summary: null });

function findArtifact(app: App, ctx: Ctx): StoredArtifact {
  const e = findExperiment(app, ctx);
  const aid = pathInt(ctx, 'aid');
  const a = app.store.state.artifacts[aid];
  if (!a || a.experiment_id !== e.id)
    throw notFound(`Analysis artifact ${aid} not found in experiment ${e.experiment_code}`);
  return a;
}

const list: Handler = (ctx, app) => {
  const e = findExperiment(app, ctx);
  const q = new QueryReader(ctx.query);
  const includeArchived = q.bool('include_archived') ?? false;
  q.done();
  const artifacts = Object.values(app.store.state.artifacts)
    .filter((a) => a.experiment_id === e.id && (includeArchived || a.status === 'active'))
    .sort((a, b) => a.id - b.id)
    .map(summaryView);
  return json(200, { artifacts });
};

const get: Handler = (ctx, app) => json(200, detailView(findArtifact(app, ctx)));

const annotate: Handler = async (ctx, app) => {
  const a = findArtifact(app, ctx);
  assertWritable(ctx, findExperiment(app, ctx));
  const b = new BodyReader(ctx.body);
  const displayName = b.string('display_name', { nonEmpty: true });
  const note = b.string('note', { nullable: true });
  b.done();
  if (typeof displayName === 'string') a.display_name = displayName;
  if (note !== undefined) a.note = note;
  a.updated_at = iso(app);
  await app.store.commit();
  return json(200, summaryView(a));
};

function lifecycle(status: 'active' | 'archived'): Handler {
  return async (ctx, app) => {
    const a = findArtifact(app, ctx);
    assertWritable(ctx, findExperiment(app, ctx));
    a.status = status;
    a.archived_at = status === 'archived' ? iso(app) : null;
    a.archived_by = status === 'archived' ? currentUser(ctx).user.id : null;
    a.updated_at = iso(app);
    await app.store.commit();
    return json(200, summaryView(a));
  };
}

const objectKey = (experimentId: number, pluginId: string, key: string): string =>
  `${experimentId}/${pluginId}/${key}`;

const getObject: Handler = (ctx, app) => {
  const e = findExperiment(app, ctx);
  const q = new QueryReader(ctx.query);
  const pluginId = q.string('plugin_id');
  q.oneOf('format', ['raw'] as const);
  q.done();
  if (!pluginId) throw invalid([{ loc: ['query', 'plugin_id'], msg: 'Field required', type: 'missing' }]);
  const key = ctx.params.key;
  const obj = app.store.state.objects[objectKey(e.id, pluginId, key)];
  if (!obj) throw notFound(`No object ${key} of plugin ${pluginId} in experiment ${e.experiment_code}`);
  const bytes = Buffer.from(obj.base64, 'base64');
  return { status: 200, raw: bytes, headers: { 'content-type': obj.content_type } };
};

/** Stores an artifact as a plugin would (plugins write them server-side; the API only reads them). */
export async function addArtifact(app: App, input: ArtifactInput): Promise<number> {
  const state = app.store.state;
  if (!state.experiments[input.experimentId])
    throw new Error(`sandbox: no experiment ${input.experimentId} for the artifact`);
  const now = iso(app);
  const id = ++state.seq.artifact;
  state.artifacts[id] = {
    id,
    experiment_id: input.experimentId,
    plugin_id: input.pluginId,
    artifact_key: input.artifactKey,
    display_name: input.displayName ?? input.artifactKey,
    note: input.note ?? null,
    status: 'active',
    result: (input.result ?? {}) as JsonObject,
    created_at: now,
    updated_at: now,
    archived_at: null,
    archived_by: null,
  };
  for (const [key, o] of Object.entries(input.objects ?? {})) {
    state.objects[objectKey(input.experimentId, input.pluginId, key)] = {
      content_type: o.contentType ?? 'application/octet-stream',
      base64: Buffer.from(o.content).toString('base64'),
    };
  }
  await app.store.commit();
  return id;
}

export const artifactHandlers: Record<string, Handler> = {
  'artifacts.list': list,
  'artifacts.get': get,
  'artifacts.annotate': annotate,
  'artifacts.archive': lifecycle('archived'),
  'artifacts.restore': lifecycle('active'),
  'objects.get': getObject,
};
