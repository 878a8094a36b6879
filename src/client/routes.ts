// The ONE route table (../shared/mint-api.md). Grade "I" routes are inferred: when the real path is
// known, fixing it here fixes the client; the sandbox can serve the same table.

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * How sure we are of a route, as graded in ../shared/mint-api.md: C = confirmed by a public source,
 * C/SDK = called by MINT's own SDK (the contract test drives it), I = inferred.
 * Never rest correctness on an I route without a fallback.
 */
export type RouteGrade = 'C' | 'C/SDK' | 'I';

export interface RouteDef {
  readonly method: HttpMethod;
  /** Path template under the origin, `{name}` placeholders; same spelling as the sandbox stats keys. */
  readonly path: string;
  readonly grade: RouteGrade;
  /** Sent without a token. */
  readonly public?: boolean;
  /** A POST that creates nothing (login, refresh): safe to retry like a GET. */
  readonly retrySafe?: boolean;
}

function route(method: HttpMethod, path: string, grade: RouteGrade, extra: Partial<RouteDef> = {}): RouteDef {
  return { method, path, grade, ...extra };
}

export const ROUTES = {
  health: route('GET', '/api/health', 'C', { public: true }),
  setupPublicConfig: route('GET', '/api/setup/config/public', 'C/SDK', { public: true }),

  authLogin: route('POST', '/api/auth/login', 'C', { public: true, retrySafe: true }),
  authRefresh: route('POST', '/api/auth/refresh', 'C/SDK', { retrySafe: true }),
  authVerify: route('GET', '/api/auth/verify', 'C'),
  usersMe: route('GET', '/api/users/me', 'C/SDK'),

  experimentsList: route('GET', '/api/experiments', 'C/SDK'),
  experimentsCreate: route('POST', '/api/experiments', 'I'),
  experimentsTypes: route('GET', '/api/experiments/experiment-types', 'C'),
  experimentsNextSeq: route('GET', '/api/experiments/next-seq', 'I'),
  experimentGet: route('GET', '/api/experiments/{id}', 'C'),
  experimentUpdate: route('PATCH', '/api/experiments/{id}', 'I'),
  experimentDelete: route('DELETE', '/api/experiments/{id}', 'I'),

  designDataGet: route('GET', '/api/experiments/{id}/data', 'C'),
  designDataSave: route('PUT', '/api/experiments/{id}/data', 'C'),
  designDataDelete: route('DELETE', '/api/experiments/{id}/data', 'C'),
  designDataTree: route('GET', '/api/experiments/{id}/data/tree', 'I'),
  designDataSummary: route('GET', '/api/experiments/{id}/data/summary', 'I'),
  designDataExport: route('GET', '/api/experiments/{id}/data/export', 'I'),

  resultsList: route('GET', '/api/experiments/{id}/results', 'I'),
  resultGet: route('GET', '/api/experiments/{id}/results/{plugin_id}', 'C'),
  resultSave: route('PUT', '/api/experiments/{id}/results/{plugin_id}', 'C'),
  resultDelete: route('DELETE', '/api/experiments/{id}/results/{plugin_id}', 'C'),

  artifactsList: route('GET', '/api/experiments/{id}/analysis-artifacts', 'C/SDK'),
  artifactGet: route('GET', '/api/experiments/{id}/analysis-artifacts/{aid}', 'C/SDK'),
  artifactAnnotate: route('PATCH', '/api/experiments/{id}/analysis-artifacts/{aid}', 'C/SDK'),
  artifactArchive: route('POST', '/api/experiments/{id}/analysis-artifacts/{aid}/archive', 'C/SDK'),
  artifactRestore: route('POST', '/api/experiments/{id}/analysis-artifacts/{aid}/restore', 'C/SDK'),
  objectGet: route('GET', '/api/experiments/{id}/objects/{key}', 'C/SDK'),

  projectsList: route('GET', '/api/projects', 'C'),
  projectsCreate: route('POST', '/api/projects', 'I'),
  projectGet: route('GET', '/api/projects/{id}', 'I'),
  projectUpdate: route('PATCH', '/api/projects/{id}', 'I'),
  projectDelete: route('DELETE', '/api/projects/{id}', 'I'),
  projectExperiments: route('GET', '/api/projects/{id}/experiments', 'I'),
  projectMembers: route('GET', '/api/projects/{id}/members', 'I'),

  pluginsList: route('GET', '/api/plugins', 'I'),
  pluginConfigGet: route('GET', '/api/plugins/{name}/config', 'C/SDK'),
  pluginConfigPatch: route('PATCH', '/api/plugins/{name}/config', 'C/SDK'),
  // a plugin's own settings, under its api_prefix (e.g. /api/peak-qc)
  pluginSettingsGet: route('GET', '{api_prefix}/settings', 'C/SDK'),
  pluginSettingsPut: route('PUT', '{api_prefix}/settings', 'C/SDK'),

  // Admin and updates: grade I, names after the Python client's methods.
  adminStatus: route('GET', '/api/admin/status', 'I'),
  adminSystem: route('GET', '/api/admin/system', 'I'),
  adminUsers: route('GET', '/api/admin/users', 'I'),
  adminCreateUser: route('POST', '/api/admin/users', 'I'),
  adminUpdateUser: route('PATCH', '/api/admin/users/{id}', 'I'),
  adminRoles: route('GET', '/api/admin/roles', 'I'),
  adminPluginRoles: route('GET', '/api/admin/plugins/{name}/roles', 'I'),
  adminSetPluginRoles: route('PUT', '/api/admin/plugins/{name}/roles', 'I'),
  updatesCheck: route('GET', '/api/updates/check', 'I'),
  updatesPlugin: route('POST', '/api/updates/plugins/{name}', 'I'),
} as const satisfies Record<string, RouteDef>;

export type RouteName = keyof typeof ROUTES;

export type PathParams = Record<string, string | number>;

/** A plugin's api_prefix: `/api/<name>[/<more>]`, nothing that could leave the API. */
const API_PREFIX = /^\/api(\/[A-Za-z0-9._~-]+)+$/;

/**
 * Fills `{name}` placeholders, each value URI-encoded so an id can never change the route. Two
 * are paths: `key` (an object key, encoded per segment, as MINT's SDK does) and `api_prefix`
 * (a plugin's prefix, checked to stay under /api).
 */
export function buildPath(def: RouteDef, params: PathParams = {}): string {
  return def.path.replace(/\{(\w+)\}/g, (_m, name: string) => {
    const value = params[name];
    if (value === undefined || value === '') {
      throw new Error(`route ${def.method} ${def.path}: missing path parameter "${name}"`);
    }
    const text = String(value);
    if (name === 'api_prefix') {
      const prefix = text.replace(/\/+$/, '');
      if (!API_PREFIX.test(prefix) || prefix.split('/').some((s) => s === '.' || s === '..')) {
        throw new Error(`plugin api_prefix "${text}" is not a path under /api (e.g. /api/peak-qc)`);
      }
      return prefix;
    }
    if (name === 'key') {
      const segments = text.split('/');
      if (segments.some((s) => s === '' || s === '.' || s === '..')) {
        throw new Error(`object key "${text}" has an empty, "." or ".." segment`);
      }
      return segments.map(encodeURIComponent).join('/');
    }
    return encodeURIComponent(text);
  });
}

/** The stats key the sandbox uses, e.g. `POST /api/experiments`. */
export function routeKey(def: RouteDef): string {
  return `${def.method} ${def.path}`;
}
