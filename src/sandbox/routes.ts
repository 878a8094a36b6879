// The route table of ../shared/mint-api.md as plain data, so the sandbox (and anyone else) can
// share it. Literal segments win over `{param}` segments when both match.

export type RouteAuth = 'none' | 'user' | 'admin';

export interface RouteSpec {
  /** Handler name (src/sandbox/handlers). */
  name: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Template under the origin, e.g. `/api/experiments/{id}`. */
  path: string;
  auth: RouteAuth;
  /** Errors of plugin-provided routes use the `{error, message, details}` shape in legacy mode. */
  pluginErrors?: boolean;
}

export const SANDBOX_ROUTES: readonly RouteSpec[] = [
  { name: 'health', method: 'GET', path: '/api/health', auth: 'none' },
  { name: 'auth.login', method: 'POST', path: '/api/auth/login', auth: 'none' },
  { name: 'auth.refresh', method: 'POST', path: '/api/auth/refresh', auth: 'none' },
  { name: 'auth.verify', method: 'GET', path: '/api/auth/verify', auth: 'user' },
  { name: 'users.me', method: 'GET', path: '/api/users/me', auth: 'user' },

  { name: 'experiments.list', method: 'GET', path: '/api/experiments', auth: 'user' },
  { name: 'experiments.create', method: 'POST', path: '/api/experiments', auth: 'user' },
  { name: 'experiments.types', method: 'GET', path: '/api/experiments/experiment-types', auth: 'user' },
  { name: 'experiments.nextSeq', method: 'GET', path: '/api/experiments/next-seq', auth: 'user' },
  { name: 'experiments.get', method: 'GET', path: '/api/experiments/{id}', auth: 'user' },
  { name: 'experiments.update', method: 'PATCH', path: '/api/experiments/{id}', auth: 'user' },
  { name: 'experiments.delete', method: 'DELETE', path: '/api/experiments/{id}', auth: 'user' },

  { name: 'design.get', method: 'GET', path: '/api/experiments/{id}/data', auth: 'user' },
  { name: 'design.save', method: 'PUT', path: '/api/experiments/{id}/data', auth: 'user' },
  { name: 'design.delete', method: 'DELETE', path: '/api/experiments/{id}/data', auth: 'user' },
  { name: 'design.tree', method: 'GET', path: '/api/experiments/{id}/data/tree', auth: 'user' },
  { name: 'design.summary', method: 'GET', path: '/api/experiments/{id}/data/summary', auth: 'user' },
  { name: 'design.export', method: 'GET', path: '/api/experiments/{id}/data/export', auth: 'user' },

  { name: 'results.list', method: 'GET', path: '/api/experiments/{id}/results', auth: 'user' },
  {
    name: 'results.get',
    method: 'GET',
    path: '/api/experiments/{id}/results/{plugin_id}',
    auth: 'user',
    pluginErrors: true,
  },
  {
    name: 'results.save',
    method: 'PUT',
    path: '/api/experiments/{id}/results/{plugin_id}',
    auth: 'user',
    pluginErrors: true,
  },
  {
    name: 'results.delete',
    method: 'DELETE',
    path: '/api/experiments/{id}/results/{plugin_id}',
    auth: 'user',
    pluginErrors: true,
  },

  { name: 'projects.list', method: 'GET', path: '/api/projects', auth: 'user' },
  { name: 'projects.create', method: 'POST', path: '/api/projects', auth: 'user' },
  { name: 'projects.get', method: 'GET', path: '/api/projects/{id}', auth: 'user' },
  { name: 'projects.update', method: 'PATCH', path: '/api/projects/{id}', auth: 'user' },
  { name: 'projects.delete', method: 'DELETE', path: '/api/projects/{id}', auth: 'user' },
  { name: 'projects.experiments', method: 'GET', path: '/api/projects/{id}/experiments', auth: 'user' },
  { name: 'projects.members', method: 'GET', path: '/api/projects/{id}/members', auth: 'user' },

  { name: 'plugins.list', method: 'GET', path: '/api/plugins', auth: 'user', pluginErrors: true },
  {
    name: 'plugins.getConfig',
    method: 'GET',
    path: '/api/plugins/{name}/config',
    auth: 'user',
    pluginErrors: true,
  },
  {
    name: 'plugins.setConfig',
    method: 'PUT',
    path: '/api/plugins/{name}/config',
    auth: 'user',
    pluginErrors: true,
  },

  { name: 'admin.status', method: 'GET', path: '/api/admin/status', auth: 'admin' },
  { name: 'admin.system', method: 'GET', path: '/api/admin/system', auth: 'admin' },
  { name: 'admin.users', method: 'GET', path: '/api/admin/users', auth: 'admin' },
  { name: 'admin.createUser', method: 'POST', path: '/api/admin/users', auth: 'admin' },
  { name: 'admin.updateUser', method: 'PATCH', path: '/api/admin/users/{id}', auth: 'admin' },
  { name: 'admin.roles', method: 'GET', path: '/api/admin/roles', auth: 'admin' },
  { name: 'admin.pluginRoles', method: 'GET', path: '/api/admin/plugins/{name}/roles', auth: 'admin' },
  { name: 'admin.setPluginRoles', method: 'PUT', path: '/api/admin/plugins/{name}/roles', auth: 'admin' },

  { name: 'updates.check', method: 'GET', path: '/api/updates/check', auth: 'admin' },
  { name: 'updates.status', method: 'GET', path: '/api/updates/status', auth: 'admin' },
  { name: 'updates.updatePlugin', method: 'POST', path: '/api/updates/plugins/{name}', auth: 'admin' },
];

/** Sandbox control routes (admin token; never counted in stats). */
export const CONTROL_ROUTES = {
  faults: '/_sandbox/faults',
  stats: '/_sandbox/stats',
  statsReset: '/_sandbox/stats/reset',
  log: '/_sandbox/log',
  tokens: '/_sandbox/tokens',
  seed: '/_sandbox/seed',
} as const;
