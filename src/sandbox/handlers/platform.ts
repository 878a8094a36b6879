// Health, auth, users, plugins, admin and updates.
import { createHash } from 'node:crypto';
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

/** An opaque revision string, as MINT sends: clients compare it, never parse it. */
function revisionTag(kind: string, name: string, n: number): string {
  return `${kind}-${createHash('sha256').update(`${name}:${n}`).digest('hex').slice(0, 12)}-${n}`;
}

function pluginConfig(app: App, name: string) {
  const stored = app.store.state.pluginConfigs[name] ?? { config: {}, revision: 1, updated_at: null };
  return {
    plugin_name: name,
    config: stored.config,
    revision: revisionTag('cfg', name, stored.revision),
    updated_at: stored.updated_at,
  };
}

const plugins: Handler = (_ctx, app) =>
  json(200, {
    plugins: PLUGINS.map((p) => ({
      ...p,
      enabled: true,
      api_prefix: `/api/${p.name}`,
      config_revision: pluginConfig(app, p.name).revision,
    })),
  });

const getConfig: Handler = (ctx, app) => json(200, pluginConfig(app, findPlugin(ctx.params.name).name));

/** A merge of the changed top-level keys, as MINT's SDK sends it: null clears a key, no If-Match. */
const patchConfig: Handler = async (ctx, app) => {
  const name = findPlugin(ctx.params.name).name;
  const b = new BodyReader(ctx.body);
  const changes = b.jsonObject('config');
  if (!b.issues.length && changes === undefined)
    b.issues.push({ loc: ['body', 'config'], msg: 'Field required', type: 'missing' });
  b.done();
  const stored = app.store.state.pluginConfigs[name] ?? { config: {}, revision: 1, updated_at: null };
  const merged: JsonObject = { ...stored.config };
  for (const [key, value] of Object.entries(changes as JsonObject)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  app.store.state.pluginConfigs[name] = {
    config: merged,
    revision: stored.revision + 1,
    updated_at: iso(app),
  };
  await app.store.commit();
  return json(200, pluginConfig(app, name));
};

function pluginSettings(app: App, name: string) {
  const stored = app.store.state.pluginSettings[name] ?? { settings: {}, revision: 1 };
  return { settings: stored.settings, mode: 'plugin', revision: revisionTag('set', name, stored.revision) };
}

/** A plugin's own settings under its api_prefix: the route for plugins whose settings_api is "plugin". */
const getSettings: Handler = (ctx, app) => json(200, pluginSettings(app, findPlugin(ctx.params.plugin).name));

/** Replaces the settings; If-Match with the revision read guards against lost updates (409 when stale). */
const putSettings: Handler = async (ctx, app) => {
  const name = findPlugin(ctx.params.plugin).name;
  if (ctx.body === null || typeof ctx.body !== 'object' || Array.isArray(ctx.body)) {
    throw badRequest('Body must be the settings object, e.g. {"threshold": 0.5}', { field: 'body' });
  }
  const current = pluginSettings(app, name);
  const ifMatch = ctx.headers['if-match'];
  if (ifMatch !== undefined) {
    const wanted = ifMatch.replace(/^W\//, '').replace(/"/g, '').trim();
    if (wanted !== '*' && wanted !== current.revision) {
      throw conflict(`Settings of plugin ${name} changed since revision ${wanted}; re-read them and retry`, {
        expected_revision: wanted,
        current_revision: current.revision,
      });
    }
  }
  const n = (app.store.state.pluginSettings[name]?.revision ?? 1) + 1;
  app.store.state.pluginSettings[name] = { settings: ctx.body as JsonObject, revision: n };
  await app.store.commit();
  const next = pluginSettings(app, name);
  return { status: 200, body: next, headers: { etag: `"${next.revision}"` } };
};

/** What MINT's SDK asks first, before any login. */
const publicConfig: Handler = () =>
  json(200, {
    auth_required: true,
    passkey_enabled: false,
    registration_enabled: false,
    database_mode: 'sandbox',
    access: { experiment_visibility_mode: 'open' },
  });

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
  'plugins.patchConfig': patchConfig,
  'plugins.getSettings': getSettings,
  'plugins.putSettings': putSettings,
  'setup.publicConfig': publicConfig,
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
