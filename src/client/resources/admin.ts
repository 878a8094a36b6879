// admin and updates: inferred routes (grade I), named after the Python client's methods.

import type { ApiCore } from '../core.js';
import type { JsonObject, User } from '../models.js';
import { unwrapList } from '../pagination.js';
import { ROUTES } from '../routes.js';

export interface RoleInfo {
  name: string;
  description?: string;
  [extra: string]: unknown;
}

export interface UserCreate {
  username: string;
  password: string;
  role?: 'admin' | 'member';
  email?: string;
}

export interface UserUpdate {
  role?: 'admin' | 'member';
  is_active?: boolean;
}

export interface PluginUpdateResult {
  plugin_name: string;
  from_version?: string;
  to_version?: string;
  status: string;
  [extra: string]: unknown;
}

export class AdminApi {
  constructor(private readonly core: ApiCore) {}

  status(): Promise<JsonObject> {
    return this.core.call<JsonObject>(ROUTES.adminStatus);
  }

  system(): Promise<JsonObject> {
    return this.core.call<JsonObject>(ROUTES.adminSystem);
  }

  async users(): Promise<User[]> {
    return unwrapList<User>(await this.core.call<unknown>(ROUTES.adminUsers), 'users').items;
  }

  /** Not retried once sent (POST). */
  createUser(body: UserCreate): Promise<User> {
    return this.core.call<User>(ROUTES.adminCreateUser, { body });
  }

  updateUser(id: number, patch: UserUpdate): Promise<User> {
    return this.core.call<User>(ROUTES.adminUpdateUser, { params: { id }, body: patch });
  }

  async roles(): Promise<RoleInfo[]> {
    return unwrapList<RoleInfo>(await this.core.call<unknown>(ROUTES.adminRoles), 'roles').items;
  }

  /** Role names allowed to use the plugin. */
  async pluginRoles(pluginName: string): Promise<string[]> {
    const body = await this.core.call<unknown>(ROUTES.adminPluginRoles, { params: { name: pluginName } });
    return unwrapList<string>(body, 'roles').items;
  }

  async setPluginRoles(pluginName: string, roles: string[]): Promise<string[]> {
    const body = await this.core.call<unknown>(ROUTES.adminSetPluginRoles, {
      params: { name: pluginName },
      body: { roles },
    });
    return unwrapList<string>(body, 'roles').items;
  }
}

export class UpdatesApi {
  constructor(private readonly core: ApiCore) {}

  /** Platform and plugin versions: current, latest, update_available. */
  check(): Promise<JsonObject> {
    return this.core.call<JsonObject>(ROUTES.updatesCheck);
  }

  updatePlugin(pluginName: string, version?: string): Promise<PluginUpdateResult> {
    return this.core.call<PluginUpdateResult>(ROUTES.updatesPlugin, {
      params: { name: pluginName },
      body: version ? { version } : {},
    });
  }
}
