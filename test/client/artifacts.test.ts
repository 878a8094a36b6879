// experiments.artifacts and objects: the client's namespace for what plugins write, over HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError, type MintClient } from '../../src/client/index.js';
import { caught, harness, type Harness } from './helpers.js';

let h: Harness;
let client: MintClient;
let id: number;
let aid: number;
const bytes = Buffer.from([0, 255, 1, 128, 10, 13]);

beforeAll(async () => {
  h = await harness();
  client = h.client();
  id = (await client.experiments.create({ name: 'a', experiment_type: 'general' })).id;
  aid = await h.sandbox.addArtifact({
    experimentId: id,
    pluginId: 'peak-qc',
    artifactKey: 'qc',
    displayName: 'QC',
    result: { schema_version: 'mint.analysis_file.v1', file: { key: 'runs/1/qc.bin' } },
    objects: { 'runs/1/qc.bin': { content: bytes } },
  });
});
afterAll(() => h.close());

describe('experiments.artifacts', () => {
  it('lists, gets, annotates, archives and restores', async () => {
    const a = client.experiments.artifacts;
    expect((await a.list(id)).map((x) => x.id)).toEqual([aid]);
    expect((await a.get(id, aid)).result).toEqual({
      schema_version: 'mint.analysis_file.v1',
      file: { key: 'runs/1/qc.bin' },
    });
    expect(await a.annotate(id, aid, { display_name: 'QC v2', note: 'seen' })).toMatchObject({
      display_name: 'QC v2',
      note: 'seen',
    });
    expect((await a.annotate(id, aid, { note: null })).note).toBeNull();
    expect((await a.archive(id, aid)).status).toBe('archived');
    expect(await a.list(id)).toEqual([]);
    expect((await a.list(id, { includeArchived: true })).map((x) => x.status)).toEqual(['archived']);
    expect((await a.restore(id, aid)).status).toBe('active');
    expect(await caught(a.get(id, 999))).toBeInstanceOf(NotFoundError);
  });
});

describe('objects', () => {
  it('downloads bytes by key, each segment encoded on its own', async () => {
    const got = await client.objects.get(id, 'runs/1/qc.bin', { pluginId: 'peak-qc' });
    expect(Buffer.isBuffer(got)).toBe(true);
    expect(got).toEqual(bytes);
    const entry = h.sandbox.log().find((e) => e.route === '/api/experiments/{id}/objects/{key}');
    expect(entry?.path).toBe(`/api/experiments/${id}/objects/runs/1/qc.bin?plugin_id=peak-qc&format=raw`);
    const missing = await caught(client.objects.get(id, 'runs/2/none.bin', { pluginId: 'peak-qc' }));
    expect(missing).toBeInstanceOf(NotFoundError);
    // the server's own message, read from a body that came back as bytes
    expect(missing.message).toContain('No object runs/2/none.bin');
    await expect(client.objects.get(id, '../etc/passwd', { pluginId: 'peak-qc' })).rejects.toThrow(/segment/);
  });
});
