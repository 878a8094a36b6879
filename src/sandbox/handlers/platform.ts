// Health, auth, users, plugins, admin and updates.
import { cpus, freemem, totalmem } from 'node:os';
import type { JsonObject } from '../../client/models.js';
import type { App, Handler } from '../context.js';
import { BodyReader, currentUser, iso, pathInt } from '../context.js';
import { HttpError, badRequest, conflict, json, notFound } from '../http.js';

const PLUGINS = [
  {
    id: 'lcms-sequence',
    name: 'lcms-sequence',
    version: '2.3.1',
    kind: 'design',
    description: 'LC-MS sample sequence designer',
  },
  {
    id: 'plate-layout',
    name: 'plate-layout',
    version: '1.8.0',
    kind: 'design',
    description: 'Well-plate layout designer',
  },
  { id: 'peak-qc', name: 'peak-qc', version: '0.9.4', kind: 'analysis', description: 'Peak quality control' },
  {
    id: 'isotope-correction',
    name: 'isotope-correction',
    version: '1.2.0',
    kind: 'analysis',
    description: 'Natural isotope abundance correction',
  },
  {
    id: 'dose-response',
    name: 'dose-response',
    version: '3.0.2',
    kind: 'analysis',
    description: 'Dose-response curve fitting',
  },
];
const LATEST: Record<string, string> = { 'peak-qc': '1.0.0', 'plate-layout': '1.9.0' };
const ROLES = [
  { name: 'admin', description: 'Full access, including completed experiments and administration' },
  { name: 'member', description: 'Create and edit experiments; completed experiments are read-only' },
];

const userView = (u: {
  id: number;
  username: string;
  shortname: string;
  email: string;
  role: string;
  is_active: boolean;
}) => ({
  id: u.id,
  username: u.username,
  shortname: u.shortname,
  email: u.email,
  role: u.role,
  is_active: u.is_active,
});

function findPlugin(name: string) {
  const p = PLUGINS.find((x) => x.name === name || x.id === name);
  if (!p)
    throw new HttpError(
      404,
      'PLUGIN_NOT_FOUND',
      `Plugin ${name} is not installed; GET /api/plugins lists the installed plugins`,
    );
  return p;
}

const health: Handler = (_ctx, app) => json(200, { status: 'ok', version: app.version, boot_id: app.bootId });

const login: Handler = (ctx, app) => {
  const b = new BodyReader(ctx.body);
  const username = b.string('username', { required: true });
  const password = b.string('password', { required: true });
  b.done();
  const { token, expiresIn } = app.auth.login(username, password);
  return json(200, { access_token: token, token_type: 'bearer', expires_in: expiresIn });
};

const refresh: Handler = (ctx, app) => {
  const { token, expiresIn } = app.auth.refresh(ctx.headers.authorization);
  return json(200, { access_token: token, token_type: 'bearer', expires_in: expiresIn });
};

const verify: Handler = (ctx) => {
  const a = currentUser(ctx);
  return json(200, {
    valid: true,
    username: a.user.username,
    expires_at: a.expiresAt === null ? null : new Date(a.expiresAt).toISOString(),
  });
};

const me: Handler = (ctx) => json(200, userView(currentUser(ctx).user));

function pluginConfig(app: App, name: string) {
  const stored = app.store.state.pluginConfigs[name] ?? { config: {}, revision: 1, updated_at: null };
  return {
    plugin_name: name,
    config: stored.config,
    revision: stored.revision,
    updated_at: stored.updated_at,
  };
}

const plugins: Handler = (_ctx, app) =>
  json(200, {
    plugins: PLUGINS.map((p) => ({
      ...p,
      enabled: true,
      config_revision: pluginConfig(app, p.name).revision,
    })),
  });

const getConfig: Handler = (ctx, app) => json(200, pluginConfig(app, findPlugin(ctx.params.name).name));

const setConfig: Handler = async (ctx, app) => {
  const name = findPlugin(ctx.params.name).name;
  const b = new BodyReader(ctx.body);
  const config = b.jsonObject('config');
  if (!b.issues.length && config === undefined)
    b.issues.push({ loc: ['body', 'config'], msg: 'Field required', type: 'missing' });
  b.done();
  const current = pluginConfig(app, name);
  const ifMatch = ctx.headers['if-match'];
  const given = ifMatch ?? (b.has('revision') ? String(b.obj.revision) : undefined);
  if (given !== undefined) {
    const wanted = given.replace(/^W\//, '').replace(/"/g, '').trim();
    if (wanted !== '*' && wanted !== String(current.revision)) {
      throw conflict(
        `Plugin ${name} config changed since revision ${wanted} (now ${current.revision}); re-read it and retry`,
        {
          expected_revision: wanted,
          current_revision: current.revision,
        },
      );
    }
  }
  app.store.state.pluginConfigs[name] = {
    config: config as JsonObject,
    revision: current.revision + 1,
    updated_at: iso(app),
  };
  await app.store.commit();
  return { status: 200, body: pluginConfig(app, name), headers: { etag: `"${current.revision + 1}"` } };
};

const adminStatus: Handler = (_ctx, app) => {
  const s = app.store.state;
  return json(200, {
    status: 'ok',
    version: app.version,
    boot_id: app.bootId,
    uptime_seconds: Math.round((app.now() - app.startedAt) / 1000),
    counts: {
      users: Object.keys(s.users).length,
      projects: Object.keys(s.projects).length,
      experiments: Object.keys(s.experiments).length,
      design_data: Object.keys(s.design).length,
      results: Object.values(s.results).reduce((n, r) => n + Object.keys(r).length, 0),
    },
  });
};

const adminSystem: Handler = (_ctx, app) =>
  json(200, {
    version: app.version,
    node: process.version,
    platform: process.platform,
    cpus: cpus().length,
    memory: { total: totalmem(), free: freemem(), rss: process.memoryUsage().rss },
    storage: 'sandbox',
  });

const adminUsers: Handler = (_ctx, app) => {
  const users = Object.values(app.store.state.users)
    .sort((a, b) => a.id - b.id)
    .map(userView);
  return json(200, { users, total: users.length });
};

const adminCreateUser: Handler = async (ctx, app) => {
  const b = new BodyReader(ctx.body);
  const username = b.string('username', { required: true, nonEmpty: true }) as string;
  const password = b.string('password', { required: true, nonEmpty: true }) as string;
  const role = b.oneOf('role', ['admin', 'member'] as const);
  const email = b.string('email');
  b.done();
  if (app.store.state.users[username]) throw conflict(`User ${username} already exists`);
  const user = app.auth.upsertUser({ username, password, role, email: email ?? undefined });
  await app.store.commit();
  return json(201, userView(user));
};

const adminUpdateUser: Handler = async (ctx, app) => {
  const id = pathInt(ctx, 'id');
  const user = Object.values(app.store.state.users).find((u) => u.id === id);
  if (!user) throw notFound(`User ${id} not found`);
  const b = new BodyReader(ctx.body);
  const role = b.oneOf('role', ['admin', 'member'] as const);
  const active = b.obj.is_active;
  if (active !== undefined && typeof active !== 'boolean') {
    b.issues.push({ loc: ['body', 'is_active'], msg: 'Input should be a valid boolean', type: 'bool_type' });
  }
  b.done();
  if (role) user.role = role;
  if (typeof active === 'boolean') user.is_active = active;
  await app.store.commit();
  return json(200, userView(user));
};

const adminRoles: Handler = () => json(200, { roles: ROLES });

const pluginRoles: Handler = (ctx, app) => {
  const name = findPlugin(ctx.params.name).name;
  return json(200, { plugin_name: name, roles: app.store.state.pluginRoles[name] ?? ['admin', 'member'] });
};

const setPluginRoles: Handler = async (ctx, app) => {
  const name = findPlugin(ctx.params.name).name;
  const roles = (ctx.body as { roles?: unknown } | undefined)?.roles;
  if (!Array.isArray(roles) || !roles.every((r) => typeof r === 'string')) {
    throw badRequest('Body must be {"roles": ["admin", "member", ...]}', { field: 'roles' });
  }
  const unknown = roles.filter((r) => !ROLES.some((x) => x.name === r));
  if (unknown.length)
    throw badRequest(`Unknown role(s): ${unknown.join(', ')} (known: admin, member)`, { field: 'roles' });
  app.store.state.pluginRoles[name] = roles as string[];
  await app.store.commit();
  return json(200, { plugin_name: name, roles });
};

const updatesCheck: Handler = (_ctx, app) =>
  json(200, {
    checked_at: iso(app),
    platform: { current: app.version, latest: app.version, update_available: false },
    plugins: PLUGINS.map((p) => ({
      name: p.name,
      current: p.version,
      latest: LATEST[p.name] ?? p.version,
      update_available: !!LATEST[p.name],
    })),
  });

const updatesStatus: Handler = (_ctx, app) =>
  json(200, { status: 'idle', in_progress: [], last_check: null, platform_version: app.version });

const updatePlugin: Handler = (ctx) => {
  const p = findPlugin(ctx.params.name);
  const latest = LATEST[p.name];
  return json(200, {
    plugin_name: p.name,
    from_version: p.version,
    to_version: latest ?? p.version,
    status: latest ? 'scheduled' : 'up_to_date',
  });
};

export const platformHandlers: Record<string, Handler> = {
  health,
  'auth.login': login,
  'auth.refresh': refresh,
  'auth.verify': verify,
  'users.me': me,
  'plugins.list': plugins,
  'plugins.getConfig': getConfig,
  'plugins.setConfig': setConfig,
  'admin.status': adminStatus,
  'admin.system': adminSystem,
  'admin.users': adminUsers,
  'admin.createUser': adminCreateUser,
  'admin.updateUser': adminUpdateUser,
  'admin.roles': adminRoles,
  'admin.pluginRoles': pluginRoles,
  'admin.setPluginRoles': setPluginRoles,
  'updates.check': updatesCheck,
  'updates.status': updatesStatus,
  'updates.updatePlugin': updatePlugin,
};
