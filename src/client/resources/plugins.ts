// plugins and their configuration (optimistic concurrency through If-Match).

import type { ApiCore } from '../core.js';
import type { JsonObject, PluginConfig, PluginInfo } from '../models.js';
import { unwrapList } from '../pagination.js';
import { ROUTES } from '../routes.js';

export class PluginsApi {
  constructor(private readonly core: ApiCore) {}

  async list(): Promise<PluginInfo[]> {
    const body = await this.core.call<unknown>(ROUTES.pluginsList);
    return unwrapList<PluginInfo>(body, 'plugins').items;
  }

  getConfig(name: string): Promise<PluginConfig> {
    return this.core.call<PluginConfig>(ROUTES.pluginConfigGet, { params: { name } });
  }

  /** `revision` is the one read with getConfig; a stale one gets ConflictError (409). */
  setConfig(name: string, config: JsonObject, revision: string | number): Promise<PluginConfig> {
    return this.core.call<PluginConfig>(ROUTES.pluginConfigSet, {
      params: { name },
      body: { config },
      headers: { 'If-Match': `"${String(revision).replace(/"/g, '')}"` },
    });
  }
}
