// The ONE route table (../shared/mint-api.md). Grade "I" routes are inferred: when the real path is
// known, fixing it here fixes the client; the sandbox can serve the same table.

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteDef {
  readonly method: HttpMethod;
  /** Path template under the origin, `{name}` placeholders; same spelling as the sandbox stats keys. */
  readonly path: string;
  /** Sent without a token. */
  readonly public?: boolean;
  /** A POST that creates nothing (login, refresh): safe to retry like a GET. */
  readonly retrySafe?: boolean;
}

function route(method: HttpMethod, path: string, extra: Partial<RouteDef> = {}): RouteDef {
  return { method, path, ...extra };
}

export const ROUTES = {
  health: route('GET', '/api/health', { public: true }),

  authLogin: route('POST', '/api/auth/login', { public: true, retrySafe: true }),
  authRefresh: route('POST', '/api/auth/refresh', { retrySafe: true }),
  authVerify: route('GET', '/api/auth/verify'),
  usersMe: route('GET', '/api/users/me'),

  experimentsList: route('GET', '/api/experiments'),
  experimentsCreate: route('POST', '/api/experiments'),
  experimentsTypes: route('GET', '/api/experiments/experiment-types'),
  experimentsNextSeq: route('GET', '/api/experiments/next-seq'),
  experimentGet: route('GET', '/api/experiments/{id}'),
  experimentUpdate: route('PATCH', '/api/experiments/{id}'),
  experimentDelete: route('DELETE', '/api/experiments/{id}'),

  designDataGet: route('GET', '/api/experiments/{id}/data'),
  designDataSave: route('PUT', '/api/experiments/{id}/data'),
  designDataDelete: route('DELETE', '/api/experiments/{id}/data'),
  designDataTree: route('GET', '/api/experiments/{id}/data/tree'),
  designDataSummary: route('GET', '/api/experiments/{id}/data/summary'),
  designDataExport: route('GET', '/api/experiments/{id}/data/export'),

  resultsList: route('GET', '/api/experiments/{id}/results'),
  resultGet: route('GET', '/api/experiments/{id}/results/{plugin_id}'),
  resultSave: route('PUT', '/api/experiments/{id}/results/{plugin_id}'),
  resultDelete: route('DELETE', '/api/experiments/{id}/results/{plugin_id}'),

  projectsList: route('GET', '/api/projects'),
  projectsCreate: route('POST', '/api/projects'),
  projectGet: route('GET', '/api/projects/{id}'),
  projectUpdate: route('PATCH', '/api/projects/{id}'),
  projectDelete: route('DELETE', '/api/projects/{id}'),
  projectExperiments: route('GET', '/api/projects/{id}/experiments'),
  projectMembers: route('GET', '/api/projects/{id}/members'),

  pluginsList: route('GET', '/api/plugins'),
  pluginConfigGet: route('GET', '/api/plugins/{name}/config'),
  pluginConfigSet: route('PUT', '/api/plugins/{name}/config'),

  // Admin and updates: grade I, names after the Python client's methods.
  adminStatus: route('GET', '/api/admin/status'),
  adminSystem: route('GET', '/api/admin/system'),
  adminUsers: route('GET', '/api/admin/users'),
  adminCreateUser: route('POST', '/api/admin/users'),
  adminUpdateUser: route('PATCH', '/api/admin/users/{id}'),
  adminRoles: route('GET', '/api/admin/roles'),
  adminPluginRoles: route('GET', '/api/admin/plugins/{name}/roles'),
  adminSetPluginRoles: route('PUT', '/api/admin/plugins/{name}/roles'),
  updatesCheck: route('GET', '/api/updates/check'),
  updatesPlugin: route('POST', '/api/updates/plugins/{name}'),
} as const satisfies Record<string, RouteDef>;

export type RouteName = keyof typeof ROUTES;

export type PathParams = Record<string, string | number>;

/** Fills `{name}` placeholders, each value URI-encoded so an id can never change the route. */
export function buildPath(def: RouteDef, params: PathParams = {}): string {
  return def.path.replace(/\{(\w+)\}/g, (_m, name: string) => {
    const value = params[name];
    if (value === undefined || value === '') {
      throw new Error(`route ${def.method} ${def.path}: missing path parameter "${name}"`);
    }
    return encodeURIComponent(String(value));
  });
}

/** The stats key the sandbox uses, e.g. `POST /api/experiments`. */
export function routeKey(def: RouteDef): string {
  return `${def.method} ${def.path}`;
}
