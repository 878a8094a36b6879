// MINT's own SDK (@morscherlab/mint-sdk, pinned) is the referee: its composables and stores run
// under Node against our sandbox over real HTTP, and every call it makes must succeed, or fail
// exactly the way its code expects. Run against the default sandbox (mint-sdk.test.ts) and a strict
// one (mint-sdk-strict.test.ts).
import { setPlatformContext } from './sdk-shim.js';
import {
  AuthenticationRequiredError,
  useAnalysisArtifacts,
  useApi,
  useAuth,
  useExperimentSave,
  useExperimentSelector,
  usePluginConfig,
} from '@morscherlab/mint-sdk/composables';
import { useAuthStore, useExperimentStore, useSettingsStore } from '@morscherlab/mint-sdk/stores';
import { createPinia, setActivePinia } from 'pinia';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { nextTick } from 'vue';
import { MintClient, type Experiment } from '../../src/client/index.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

/** Waits until the SDK's watchers have run and its request settled. */
async function settle(isLoading: { value: boolean }): Promise<void> {
  await nextTick();
  await vi.waitFor(() => expect(isLoading.value).toBe(false), { timeout: 5000, interval: 10 });
}

/** The SDK logs handled failures with console.error/warn; keep the test output readable. */
function quietConsole(): void {
  vi.spyOn(console, 'error').mockImplementation(() => undefined);
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
}

/**
 * The whole suite against one sandbox. Each mode runs in its own test file: the SDK keeps module
 * state (its axios instance and interceptors), so two sandboxes in one module graph would share it.
 */
export function sdkContractSuite(strict: boolean): void {
  describe(`MINT SDK 1.1.9 against the ${strict ? 'strict' : 'default'} sandbox`, () => {
    let sb: Sandbox;
    let admin: MintClient;
    let apiBase: string;
    const made: Experiment[] = [];

    beforeAll(async () => {
      quietConsole();
      sb = await startSandbox({
        quiet: true,
        strict,
        authRateLimit: false,
        users: [{ username: 'ann', password: 'ann-pw', role: 'member' }],
      });
      admin = new MintClient({ baseUrl: sb.url, token: sb.adminToken, env: { HOME: '/nonexistent' } });
      const flux = await admin.projects.create({ name: 'Flux' });
      const other = await admin.projects.create({ name: 'Other' });
      const specs = [
        { name: 'Alpha glucose', experiment_type: 'lcms_batch', project_id: flux.id },
        { name: 'Beta glucose', experiment_type: 'lcms_batch', project_id: flux.id },
        { name: 'Gamma', experiment_type: 'drug_response', project_id: other.id },
        { name: 'Delta', experiment_type: 'lcms_batch', project_id: other.id },
        { name: 'Epsilon', experiment_type: 'general', project_id: null },
      ];
      for (const s of specs) made.push(await admin.experiments.create(s));
      await admin.experiments.update(made[2].id, { status: 'ongoing' });

      setActivePinia(createPinia());
      const url = new URL(sb.url);
      const settings = useSettingsStore();
      settings.serverHost = url.hostname;
      settings.serverPort = Number(url.port);
      apiBase = settings.getApiBaseUrl();
    });

    afterAll(async () => {
      setPlatformContext(undefined);
      useAuth().logout();
      admin?.close();
      await sb?.close();
      vi.restoreAllMocks();
    });

    it('points the SDK at the sandbox', () => {
      expect(apiBase).toBe(`${sb.url}/api`);
    });

    describe('auth', () => {
      it('reads the public setup config without a token', async () => {
        const config = await useAuth().fetchAuthConfig();
        // on any failure the SDK falls back to authRequired: false
        expect(config).toMatchObject({
          authRequired: true,
          passkeyEnabled: false,
          experimentVisibilityMode: 'open',
        });
        expect(useAuthStore().authConfig.authRequired).toBe(true);
      });

      it('refuses a wrong password and shows the server detail', async () => {
        const auth = useAuth();
        expect(await auth.login('ann', 'wrong')).toBe(false);
        const store = useAuthStore();
        expect(store.token).toBeNull();
        // the SDK shows `detail` when it is there, else "Login failed"
        expect(store.error).toBe('Incorrect username or password');
      });

      it('logs in, loads users/me, verifies and refreshes', async () => {
        const auth = useAuth();
        expect(await auth.login('ann', 'ann-pw')).toBe(true);
        const store = useAuthStore();
        expect(store.isAuthenticated).toBe(true);
        expect(store.userInfo).toMatchObject({ username: 'ann', role: 'member', isActive: true });
        expect(typeof store.userInfo?.id).toBe('number');
        expect(store.isAdmin).toBe(false);
        expect(await auth.verifyToken()).toBe(true);
        expect(store.username).toBe('ann');
        expect(await auth.getCurrentUser()).toMatchObject({ username: 'ann' });
        const before = store.token;
        expect(await auth.refreshToken()).toBe(true);
        expect(store.token).not.toBe(before);
        expect(store.tokenExpires?.getTime()).toBeGreaterThan(Date.now() + 3000 * 1000);
        expect(await auth.verifyToken()).toBe(true);
      });
    });

    describe('experiments', () => {
      it('selector: pages with skip/limit and a total', async () => {
        const sel = useExperimentSelector({ limit: 2 });
        await sel.fetch();
        expect(sel.error.value).toBeNull();
        expect(sel.total.value).toBe(made.length);
        expect(sel.experiments.value).toHaveLength(2);
        expect(sel.hasMore.value).toBe(true);
        await sel.loadMore();
        await sel.loadMore();
        expect(sel.experiments.value.map((e: { id: number }) => e.id).sort()).toEqual(
          made.map((e) => e.id).sort(),
        );
        expect(sel.hasMore.value).toBe(false);
        // created_at:desc is the SDK's default order
        expect(sel.experiments.value[0].id).toBe(made[made.length - 1].id);
      });

      it('selector: filters by status, type, project name, search, date and sort', async () => {
        const sel = useExperimentSelector({ limit: 50 });
        const names = (): string[] => sel.experiments.value.map((e: { name: string }) => e.name);

        sel.filters.status = 'ongoing';
        await settle(sel.isLoading);
        expect(names()).toEqual(['Gamma']);

        sel.filters.status = undefined;
        sel.filters.experimentType = 'lcms_batch';
        sel.sortKey.value = 'name:asc';
        await settle(sel.isLoading);
        expect(names()).toEqual(['Alpha glucose', 'Beta glucose', 'Delta']);

        sel.filters.project = 'Flux';
        await settle(sel.isLoading);
        expect(names()).toEqual(['Alpha glucose', 'Beta glucose']);
        expect(sel.groupedByProject.value.map(([p]: [string, unknown]) => p)).toEqual(['Flux']);

        sel.filters.project = undefined;
        sel.filters.experimentType = undefined;
        sel.filters.datePreset = 'last_7_days';
        await settle(sel.isLoading);
        expect(names()).toHaveLength(made.length);

        sel.filters.datePreset = undefined;
        sel.filters.search = 'glucose';
        await vi.waitFor(() => expect(names()).toEqual(['Alpha glucose', 'Beta glucose']), { timeout: 3000 });
        expect(sel.error.value).toBeNull();

        await sel.fetchFilterOptions();
        expect(sel.experimentTypes.value.map((t: { value: string }) => t.value)).toContain('lcms_batch');
        expect(sel.projects.value.map((p: { value: string }) => p.value).sort()).toEqual(['Flux', 'Other']);
      });

      it('store: gets an experiment by id, and a missing one leaves no selection', async () => {
        const store = useExperimentStore();
        const got = await store.selectById(made[0].id);
        expect(got).toMatchObject({
          id: made[0].id,
          name: 'Alpha glucose',
          experiment_code: made[0].experiment_code,
        });
        expect(typeof got?.created_by).toBe('number');
        expect(store.current?.id).toBe(made[0].id);

        expect(await store.selectById(999_999)).toBeNull();
        expect(store.current).toBeNull();
        expect(store.currentId).toBe(999_999);
        expect(store.error).toMatch(/404/);
      });
    });

    describe('design data and analysis results', () => {
      it('saves, loads and deletes design data and results', async () => {
        const id = made[1].id;
        const design = useExperimentSave({ pluginId: 'plate-layout' });
        expect(await design.saveDesign(id, { wells: { A1: 'ctrl' } })).toBe(true);
        expect(await design.loadDesign(id)).toMatchObject({
          experiment_id: id,
          plugin_id: 'plate-layout',
          data: { wells: { A1: 'ctrl' } },
          schema_version: '1.0',
        });

        const analysis = useExperimentSave({ pluginId: 'peak-qc' });
        expect(await analysis.saveAnalysis(id, { passed: 12 })).toBe(true);
        expect(await analysis.loadAnalysis(id)).toMatchObject({
          plugin_id: 'peak-qc',
          result: { passed: 12 },
        });
        expect(await analysis.save(id, { analysis: { passed: 13 } })).toBe(true);
        expect((await admin.experiments.analysis.get(id, 'peak-qc')).result).toEqual({ passed: 13 });

        expect(await analysis.deleteAnalysis(id)).toBe(true);
        expect(await analysis.loadAnalysis(id)).toBeNull();
        expect(analysis.error.value).toMatch(/404/);

        expect(await design.deleteDesign(id)).toBe(true);
        expect(await design.loadDesign(id)).toBeNull();
        expect(design.error.value).toMatch(/404/);
        expect((await admin.experiments.get(id)).has_design_data).toBe(false);
      });
    });

    describe('analysis artifacts and objects', () => {
      it('lists, reads, annotates, archives and restores artifacts; downloads an object', async () => {
        const id = made[3].id;
        const bytes = Buffer.from([0, 1, 2, 250, 255]);
        const aid = await sb.addArtifact({
          experimentId: id,
          pluginId: 'peak-qc',
          artifactKey: 'qc-report',
          displayName: 'QC report',
          result: {
            schema_version: 'mint.analysis_file.v1',
            file: { key: 'reports/qc report.bin', filename: 'qc.bin' },
          },
          objects: { 'reports/qc report.bin': { content: bytes, contentType: 'application/octet-stream' } },
        });
        const arts = useAnalysisArtifacts({ experimentId: id });
        expect((await arts.list()).map((a: { id: number }) => a.id)).toEqual([aid]);
        expect(arts.hasArtifactKey('qc-report')).toBe(true);
        const detail = await arts.getDetail(aid);
        expect(detail).toMatchObject({
          id: aid,
          plugin_id: 'peak-qc',
          artifact_key: 'qc-report',
          status: 'active',
        });

        expect(await arts.updateMetadata(aid, { display_name: 'QC (final)', note: 'checked' })).toMatchObject(
          {
            display_name: 'QC (final)',
            note: 'checked',
          },
        );
        expect(await arts.updateMetadata(aid, { note: null })).toMatchObject({ note: null });
        expect(await arts.archive(aid)).toMatchObject({ status: 'archived' });
        expect(await arts.list()).toEqual([]);
        // widening the filter makes the SDK refetch with include_archived=true
        arts.statusFilter.value = 'all';
        await settle(arts.isLoading);
        expect(arts.artifacts.value.map((a: { status: string }) => a.status)).toEqual(['archived']);
        expect(await arts.restore(aid)).toMatchObject({ status: 'active' });
        expect(arts.error.value).toBeNull();

        const target = await arts.resolveTarget({
          experimentId: id,
          artifactPluginId: 'peak-qc',
          artifactKey: 'qc-report',
        });
        expect(target?.id).toBe(aid);

        // the URL GeneratedPathInput builds for a file-backed artifact
        const key = 'reports/qc report.bin';
        const url =
          `${apiBase}/experiments/${id}/objects/${key.split('/').map(encodeURIComponent).join('/')}` +
          `?plugin_id=${encodeURIComponent('peak-qc')}&format=raw`;
        const raw = await useApi().get<ArrayBuffer>(url, { responseType: 'arraybuffer' });
        expect(Buffer.from(raw)).toEqual(bytes);
        expect(await admin.objects.get(id, key, { pluginId: 'peak-qc' })).toEqual(bytes);
      });
    });

    describe('plugin config', () => {
      it('loads the platform config and saves changed keys as a PATCH merge', async () => {
        await admin.plugins.patchConfig('dose-response', { model: '4pl', keep: true });
        const cfg = usePluginConfig('dose-response');
        await cfg.load();
        expect(cfg.error.value).toBeNull();
        expect(cfg.config.value).toEqual({ model: '4pl', keep: true });
        cfg.config.value = { model: '5pl', keep: true, window: 3 };
        expect(await cfg.save()).toBe(true);
        delete cfg.config.value.keep;
        expect(await cfg.save()).toBe(true);
        expect(cfg.isDirty.value).toBe(false);
        expect((await admin.plugins.getConfig('dose-response')).config).toEqual({ model: '5pl', window: 3 });
        const patches = sb
          .log()
          .filter((e) => e.method === 'PATCH' && e.route === '/api/plugins/{name}/config');
        expect(patches.every((e) => e.status === 200)).toBe(true);
      });

      it("loads and saves a plugin's own settings with If-Match", async () => {
        setPlatformContext({
          platformApiUrl: apiBase,
          plugin: {
            id: 'plate-layout',
            name: 'plate-layout',
            api_prefix: `${sb.url}/api/plate-layout`,
            settings_api: 'plugin',
          },
        });
        try {
          const cfg = usePluginConfig('plate-layout');
          await cfg.load();
          expect(cfg.error.value).toBeNull();
          cfg.config.value = { rows: 8 };
          expect(await cfg.save()).toBe(true);
          // someone else writes: the SDK's stale revision now gets 409
          const live = await admin.plugins.settings('/api/plate-layout').get();
          await admin.plugins.settings('/api/plate-layout').put({ rows: 16 }, live.revision);
          cfg.config.value = { rows: 12 };
          expect(await cfg.save()).toBe(false);
          expect(cfg.error.value).toMatch(/409/);
          expect((await admin.plugins.settings('/api/plate-layout').get()).settings).toEqual({ rows: 16 });
        } finally {
          setPlatformContext(undefined);
        }
      });
    });

    describe('tokens', () => {
      it('accepts a personal access token', async () => {
        const store = useAuthStore();
        store.setToken(sb.createToken({ username: 'ann' }), 3600);
        expect(await useAuth().verifyToken()).toBe(true);
        const page = await useApi().get<{ experiments: unknown[]; total: number }>('/experiments?limit=1');
        expect(page.total).toBe(made.length);
      });

      it(`${strict ? 'refuses' : 'allows'} refreshing an expired session; the SDK drops a refused one`, async () => {
        const store = useAuthStore();
        store.setToken(sb.createToken({ username: 'ann', kind: 'session', ttlSeconds: 0 }), 3600);
        const refreshed = await useAuth().refreshToken();
        expect(refreshed).toBe(!strict);
        if (strict) expect(store.token).toBeNull();
        else expect(await useAuth().verifyToken()).toBe(true);
      });

      it('refuses a bogus token: AuthenticationRequiredError, and the token is dropped', async () => {
        const store = useAuthStore();
        store.setToken('bogus-token', 3600);
        const err = await useApi()
          .get('/experiments')
          .then(
            () => undefined,
            (e: unknown) => e,
          );
        expect(err).toBeInstanceOf(AuthenticationRequiredError);
        expect(store.token).toBeNull();
        store.setToken('bogus-token', 3600);
        expect(await useAuth().verifyToken()).toBe(false);
        expect(store.token).toBeNull();
      });
    });
  });
}
