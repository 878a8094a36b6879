// The key flows stand on confirmed routes: against a strict sandbox (routes graded I answer 404
// unless there is no alternative, I filters are ignored) plan, apply and export still do exactly
// the right thing, through their fallbacks.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { apply, exportManifest, plan } from '../../src/actions/index.js';
import { STACK_TAG } from '../../src/manifest/model.js';
import { startHarness, type Harness } from '../actions/helpers.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ strict: true });
});
afterEach(async () => {
  await h?.close();
});

const MANIFEST = `version: 1
stack: strict
defaults: { project: p1, experiment_type: lcms_batch }
projects:
  - key: p1
    name: P1
experiments:
  - key: a
    name: Alpha
    status: ongoing
    design: { plugin_id: lcms-sequence, data: { samples: [1, 2] } }
    analysis:
      - { plugin_id: peak-qc, result: { score: 0.9 } }
      - { plugin_id: dose-response, result: { ic50: 3 } }
  - key: b
    name: Beta
`;

describe('strict sandbox', () => {
  it('answers 404 for the results list and ignores project_id', async () => {
    const p1 = await h.client.projects.create({ name: 'P1' });
    const p2 = await h.client.projects.create({ name: 'P2' });
    const e = await h.client.experiments.create({ name: 'x', experiment_type: 'general', project_id: p2.id });
    await expect(h.client.experiments.analysis.list(e.id)).rejects.toMatchObject({ status: 404 });
    const page = await h.client.experiments.page({ project_id: p1.id });
    expect(page.experiments.map((x) => x.id)).toEqual([e.id]);
  });

  it('plan and apply create everything, and a re-plan is empty (results read per plugin)', async () => {
    const m = await h.load({ 'mint.yaml': MANIFEST });
    const { result } = await apply({ manifest: m, client: h.client });
    expect(result.success).toBe(true);
    const again = await plan({ manifest: m, client: h.client });
    expect(again.hasChanges).toBe(false);
    const byRoute = h.sandbox.stats().byRoute;
    expect(byRoute['GET /api/experiments/{id}/results/{plugin_id}']).toBeGreaterThan(0);
    // a changed result is seen through the per-plugin read and planned as an update
    const alpha = (await h.all()).find((x) => x.name === 'Alpha');
    await h.client.experiments.analysis.save(alpha!.id, 'peak-qc', { score: 0.1 });
    expect((await plan({ manifest: m, client: h.client })).hasChanges).toBe(true);
  });

  it('export reads results per plugin and exports only the asked project, tagging nothing else', async () => {
    const p1 = await h.client.projects.create({ name: 'P1' });
    const p2 = await h.client.projects.create({ name: 'P2' });
    const mine = await h.client.experiments.create({
      name: 'Mine',
      experiment_type: 'lcms_batch',
      project_id: p1.id,
    });
    const theirs = await h.client.experiments.create({
      name: 'Theirs',
      experiment_type: 'lcms_batch',
      project_id: p2.id,
    });
    await h.client.experiments.analysis.save(mine.id, 'peak-qc', { score: 1 });
    await h.client.experiments.analysis.save(theirs.id, 'peak-qc', { score: 2 });
    const res = await exportManifest({
      client: h.client,
      project: 'P1',
      stack: 'exp',
      outFile: 'mint.yaml',
      cwd: h.dir,
    });
    expect(res.experiments).toBe(1);
    expect(res.claimed).toEqual([mine.experiment_code]);
    const doc = parse(fs.readFileSync(path.join(h.dir, 'mint.yaml'), 'utf8')) as {
      experiments: { name: string; analysis?: { plugin_id: string; result_file: string }[] }[];
    };
    expect(doc.experiments.map((e) => e.name)).toEqual(['Mine']);
    const analysis = doc.experiments[0].analysis ?? [];
    expect(analysis.map((a) => a.plugin_id)).toEqual(['peak-qc']);
    expect(JSON.parse(fs.readFileSync(path.join(h.dir, analysis[0].result_file), 'utf8'))).toEqual({
      score: 1,
    });
    expect((await h.client.experiments.get(theirs.id)).tags[STACK_TAG]).toBeUndefined();
    expect((await h.client.experiments.get(mine.id)).tags[STACK_TAG]).toBe('exp');
    // the list route was asked once, then never again in this run
    const listCalls = h.sandbox.log().filter((e) => /^\/api\/experiments\/\d+\/results(\?|$)/.test(e.path));
    expect(listCalls.map((e) => e.status)).toEqual([404]);
  });
});
