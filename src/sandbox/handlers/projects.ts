// Projects: unique names, members, and a delete that takes every experiment in the project along.
import type { ProjectStatus } from '../../client/models.js';
import type { App, Ctx, Handler } from '../context.js';
import { BodyReader, QueryReader, currentUser, iso, pathInt } from '../context.js';
import { conflict, json, noContent, notFound } from '../http.js';
import type { StoredProject } from '../store.js';
import { queryExperiments, readPaging, removeExperiment } from './experiments.js';

const PROJECT_STATUSES: readonly ProjectStatus[] = ['active', 'archived', 'completed'];

function projectView(app: App, p: StoredProject) {
  const { members: _members, ...rest } = p;
  const experiment_count = Object.values(app.store.state.experiments).filter(
    (e) => e.project_id === p.id,
  ).length;
  // like experiments: the creator's user id, as MINT sends it
  const created_by = app.store.state.users[p.created_by]?.id ?? null;
  return { ...rest, created_by, member_count: p.members.length, experiment_count };
}

function findProject(app: App, ctx: Ctx): StoredProject {
  const id = pathInt(ctx, 'id');
  const p = app.store.state.projects[id];
  if (!p) throw notFound(`Project ${id} not found`);
  return p;
}

function assertUniqueName(app: App, name: string, selfId?: number): void {
  const clash = Object.values(app.store.state.projects).find((p) => p.name === name && p.id !== selfId);
  if (clash)
    throw conflict(`A project named "${name}" already exists (id ${clash.id}); pick another name`, {
      project_id: clash.id,
    });
}

const list: Handler = (ctx, app) => {
  const q = new QueryReader(ctx.query);
  const status = q.oneOf('status', PROJECT_STATUSES);
  const search = q.string('search')?.toLowerCase();
  const mine = q.bool('my_projects');
  const { skip, limit } = readPaging(q);
  q.done();
  const me = ctx.auth?.user.id;
  const rows = Object.values(app.store.state.projects)
    .filter((p) => !status || p.status === status)
    .filter((p) => !search || `${p.name}\n${p.description ?? ''}`.toLowerCase().includes(search))
    .filter((p) => !mine || p.members.some((m) => m.user_id === me))
    .sort((a, b) => a.id - b.id);
  return json(200, {
    projects: rows.slice(skip, skip + limit).map((p) => projectView(app, p)),
    total: rows.length,
  });
};

const get: Handler = (ctx, app) => json(200, projectView(app, findProject(app, ctx)));

const create: Handler = async (ctx, app) => {
  const user = currentUser(ctx).user;
  const b = new BodyReader(ctx.body);
  const name = b.string('name', { required: true, nonEmpty: true }) as string;
  const description = b.string('description', { nullable: true });
  const status = b.oneOf('status', PROJECT_STATUSES);
  b.done();
  assertUniqueName(app, name);
  const state = app.store.state;
  const now = iso(app);
  const p: StoredProject = {
    id: ++state.seq.project,
    name,
    description: description ?? null,
    status: status ?? 'active',
    created_by: user.username,
    created_at: now,
    updated_at: now,
    members: [{ user_id: user.id, username: user.username, role: 'owner' }],
  };
  state.projects[p.id] = p;
  await app.store.commit();
  return json(201, projectView(app, p));
};

const update: Handler = async (ctx, app) => {
  const p = findProject(app, ctx);
  const b = new BodyReader(ctx.body);
  const name = b.string('name', { nonEmpty: true });
  const description = b.string('description', { nullable: true });
  const status = b.oneOf('status', PROJECT_STATUSES);
  b.done();
  if (name !== undefined && name !== null) {
    assertUniqueName(app, name, p.id);
    p.name = name;
  }
  if (b.has('description')) p.description = description ?? null;
  if (status) p.status = status;
  p.updated_at = iso(app);
  await app.store.commit();
  return json(200, projectView(app, p));
};

const remove: Handler = async (ctx, app) => {
  const p = findProject(app, ctx);
  for (const e of Object.values(app.store.state.experiments)) {
    if (e.project_id === p.id) removeExperiment(app, e.id);
  }
  delete app.store.state.projects[p.id];
  await app.store.commit();
  return noContent();
};

const experiments: Handler = (ctx, app) => {
  const p = findProject(app, ctx);
  const q = new QueryReader(ctx.query);
  const paging = readPaging(q);
  q.done();
  return json(
    200,
    queryExperiments(app, ctx, { project_id: p.id, sort_by: 'created_at', sort_order: 'desc', ...paging }),
  );
};

const members: Handler = (ctx, app) => {
  const p = findProject(app, ctx);
  return json(200, {
    members: p.members.map((m) => {
      const u = app.store.state.users[m.username];
      return { ...m, email: u?.email ?? null, shortname: u?.shortname ?? null };
    }),
  });
};

export const projectHandlers: Record<string, Handler> = {
  'projects.list': list,
  'projects.get': get,
  'projects.create': create,
  'projects.update': update,
  'projects.delete': remove,
  'projects.experiments': experiments,
  'projects.members': members,
};
