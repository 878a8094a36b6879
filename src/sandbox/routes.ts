// The route table of ../shared/mint-api.md as plain data, so the sandbox (and anyone else) can
// share it. Literal segments win over `{param}` segments when both match.

export type RouteAuth = 'none' | 'user' | 'admin';

/** As in ../shared/mint-api.md: C = confirmed, C/SDK = called by MINT's own SDK, I = inferred. */
export type RouteGrade = 'C' | 'C/SDK' | 'I';

export interface RouteSpec {
  /** Handler name (src/sandbox/handlers). */
  name: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Template under the origin, e.g. `/api/experiments/{id}`. */
  path: string;
  auth: RouteAuth;
  grade: RouteGrade;
  /**
   * In strict mode an I route answers 404 unless it is kept: kept routes are the inferred ones a
   * client has no alternative to (creating an experiment), so a strict run still works end to end.
   */
  strictKeep?: boolean;
  /** The last `{param}` takes every remaining segment (object keys with slashes). */
  rest?: boolean;
  /** Errors of plugin-provided routes use the `{error, message, details}` shape in legacy mode. */
  pluginErrors?: boolean;
}

type Extra = Partial<Pick<RouteSpec, 'strictKeep' | 'rest' | 'pluginErrors'>>;

function r(
  name: string,
  method: RouteSpec['method'],
  path: string,
  auth: RouteAuth,
  grade: RouteGrade,
  extra: Extra = {},
): RouteSpec {
  return { name, method, path, auth, grade, ...extra };
}

const keep = { strictKeep: true };
const plugin = { pluginErrors: true };

export const SANDBOX_ROUTES: readonly RouteSpec[] = [
  r('health', 'GET', '/api/health', 'none', 'C'),
  r('auth.login', 'POST', '/api/auth/login', 'none', 'C'),
  r('auth.refresh', 'POST', '/api/auth/refresh', 'none', 'C/SDK'),
  r('auth.verify', 'GET', '/api/auth/verify', 'user', 'C'),
  r('users.me', 'GET', '/api/users/me', 'user', 'C/SDK'),
  r('setup.publicConfig', 'GET', '/api/setup/config/public', 'none', 'C/SDK'),

  r('experiments.list', 'GET', '/api/experiments', 'user', 'C/SDK'),
  r('experiments.create', 'POST', '/api/experiments', 'user', 'I', keep),
  r('experiments.types', 'GET', '/api/experiments/experiment-types', 'user', 'C'),
  r('experiments.nextSeq', 'GET', '/api/experiments/next-seq', 'user', 'I'),
  r('experiments.get', 'GET', '/api/experiments/{id}', 'user', 'C'),
  r('experiments.update', 'PATCH', '/api/experiments/{id}', 'user', 'I', keep),
  r('experiments.delete', 'DELETE', '/api/experiments/{id}', 'user', 'I', keep),

  r('design.get', 'GET', '/api/experiments/{id}/data', 'user', 'C'),
  r('design.save', 'PUT', '/api/experiments/{id}/data', 'user', 'C'),
  r('design.delete', 'DELETE', '/api/experiments/{id}/data', 'user', 'C'),
  r('design.tree', 'GET', '/api/experiments/{id}/data/tree', 'user', 'I'),
  r('design.summary', 'GET', '/api/experiments/{id}/data/summary', 'user', 'I'),
  r('design.export', 'GET', '/api/experiments/{id}/data/export', 'user', 'I'),

  r('results.list', 'GET', '/api/experiments/{id}/results', 'user', 'I'),
  r('results.get', 'GET', '/api/experiments/{id}/results/{plugin_id}', 'user', 'C', plugin),
  r('results.save', 'PUT', '/api/experiments/{id}/results/{plugin_id}', 'user', 'C', plugin),
  r('results.delete', 'DELETE', '/api/experiments/{id}/results/{plugin_id}', 'user', 'C', plugin),

  r('artifacts.list', 'GET', '/api/experiments/{id}/analysis-artifacts', 'user', 'C/SDK'),
  r('artifacts.get', 'GET', '/api/experiments/{id}/analysis-artifacts/{aid}', 'user', 'C/SDK'),
  r('artifacts.annotate', 'PATCH', '/api/experiments/{id}/analysis-artifacts/{aid}', 'user', 'C/SDK'),
  r('artifacts.archive', 'POST', '/api/experiments/{id}/analysis-artifacts/{aid}/archive', 'user', 'C/SDK'),
  r('artifacts.restore', 'POST', '/api/experiments/{id}/analysis-artifacts/{aid}/restore', 'user', 'C/SDK'),
  r('objects.get', 'GET', '/api/experiments/{id}/objects/{key}', 'user', 'C/SDK', { rest: true }),

  r('projects.list', 'GET', '/api/projects', 'user', 'C'),
  r('projects.create', 'POST', '/api/projects', 'user', 'I', keep),
  r('projects.get', 'GET', '/api/projects/{id}', 'user', 'I', keep),
  r('projects.update', 'PATCH', '/api/projects/{id}', 'user', 'I', keep),
  r('projects.delete', 'DELETE', '/api/projects/{id}', 'user', 'I', keep),
  r('projects.experiments', 'GET', '/api/projects/{id}/experiments', 'user', 'I'),
  r('projects.members', 'GET', '/api/projects/{id}/members', 'user', 'I'),

  r('plugins.list', 'GET', '/api/plugins', 'user', 'I', { ...plugin, ...keep }),
  r('plugins.getConfig', 'GET', '/api/plugins/{name}/config', 'user', 'C/SDK', plugin),
  r('plugins.patchConfig', 'PATCH', '/api/plugins/{name}/config', 'user', 'C/SDK', plugin),
  // a plugin's own routes live under its api_prefix, /api/{plugin name}
  r('plugins.getSettings', 'GET', '/api/{plugin}/settings', 'user', 'C/SDK', plugin),
  r('plugins.putSettings', 'PUT', '/api/{plugin}/settings', 'user', 'C/SDK', plugin),

  r('admin.status', 'GET', '/api/admin/status', 'admin', 'I'),
  r('admin.system', 'GET', '/api/admin/system', 'admin', 'I'),
  r('admin.users', 'GET', '/api/admin/users', 'admin', 'I'),
  r('admin.createUser', 'POST', '/api/admin/users', 'admin', 'I'),
  r('admin.updateUser', 'PATCH', '/api/admin/users/{id}', 'admin', 'I'),
  r('admin.roles', 'GET', '/api/admin/roles', 'admin', 'I'),
  r('admin.pluginRoles', 'GET', '/api/admin/plugins/{name}/roles', 'admin', 'I'),
  r('admin.setPluginRoles', 'PUT', '/api/admin/plugins/{name}/roles', 'admin', 'I'),

  r('updates.check', 'GET', '/api/updates/check', 'admin', 'I'),
  r('updates.status', 'GET', '/api/updates/status', 'admin', 'I'),
  r('updates.updatePlugin', 'POST', '/api/updates/plugins/{name}', 'admin', 'I'),
];

/** The routes a strict sandbox serves: every C and C/SDK route, and only the I routes kept on purpose. */
export function strictRoutes(routes: readonly RouteSpec[] = SANDBOX_ROUTES): RouteSpec[] {
  return routes.filter((s) => s.grade !== 'I' || s.strictKeep);
}

/** Sandbox control routes (admin token; never counted in stats). */
export const CONTROL_ROUTES = {
  faults: '/_sandbox/faults',
  stats: '/_sandbox/stats',
  statsReset: '/_sandbox/stats/reset',
  log: '/_sandbox/log',
  tokens: '/_sandbox/tokens',
  seed: '/_sandbox/seed',
} as const;
