// plugins, their platform config (a PATCH merge, as MINT's SDK writes it) and a plugin's own
// settings under its api_prefix (optimistic concurrency through If-Match; 409 when stale).

import type { ApiCore } from '../core.js';
import type { JsonObject, JsonValue, PluginConfig, PluginInfo, PluginSettings } from '../models.js';
import { unwrapList } from '../pagination.js';
import { ROUTES } from '../routes.js';

/** A plugin's own settings API, at `{api_prefix}/settings`. */
export class PluginSettingsApi {
  constructor(
    private readonly core: ApiCore,
    /** e.g. `/api/peak-qc` (the plugin's `api_prefix`). */
    readonly apiPrefix: string,
  ) {}

  get(): Promise<PluginSettings> {
    return this.core.call<PluginSettings>(ROUTES.pluginSettingsGet, {
      params: { api_prefix: this.apiPrefix },
    });
  }

  /**
   * Replaces the settings. With `revision` (the one read with get) the write is conditional: a
   * stale revision gets ConflictError (409); re-read and retry. Without it, last write wins.
   */
  put(settings: JsonObject, revision?: string): Promise<PluginSettings> {
    return this.core.call<PluginSettings>(ROUTES.pluginSettingsPut, {
      params: { api_prefix: this.apiPrefix },
      body: settings,
      headers: revision === undefined ? undefined : { 'If-Match': `"${revision.replace(/"/g, '')}"` },
    });
  }
}

export class PluginsApi {
  constructor(private readonly core: ApiCore) {}

  async list(): Promise<PluginInfo[]> {
    const body = await this.core.call<unknown>(ROUTES.pluginsList);
    return unwrapList<PluginInfo>(body, 'plugins').items;
  }

  getConfig(name: string): Promise<PluginConfig> {
    return this.core.call<PluginConfig>(ROUTES.pluginConfigGet, { params: { name } });
  }

  /**
   * Merges `changes` into the plugin's config: each top-level key given replaces the stored one,
   * `null` removes it, keys not given stay. No If-Match: MINT's config route has none.
   */
  patchConfig(name: string, changes: Record<string, JsonValue>): Promise<PluginConfig> {
    return this.core.call<PluginConfig>(ROUTES.pluginConfigPatch, {
      params: { name },
      body: { config: changes },
    });
  }

  /**
   * The plugin's own settings API (for plugins whose `settings_api` is "plugin"). `plugin` is the
   * api_prefix (`/api/peak-qc`), or a plugin record from list() carrying `api_prefix`.
   */
  settings(plugin: string | PluginInfo): PluginSettingsApi {
    const prefix = typeof plugin === 'string' ? plugin : plugin.api_prefix;
    if (typeof prefix !== 'string' || prefix === '') {
      throw new Error(
        `plugin ${typeof plugin === 'string' ? plugin : plugin.name} has no api_prefix: pass the prefix (e.g. /api/peak-qc)`,
      );
    }
    return new PluginSettingsApi(this.core, prefix);
  }
}
