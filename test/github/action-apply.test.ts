// The built Action (dist/index.js) run in a child process exactly as the runner runs it, against a
// real sandbox and a recording stand-in for the GitHub REST API. Run `npm run package` first.
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MintClient } from '../../src/client/index.js';
import { experiment, makeWorkspace, manifest, runAction, useActionFixture } from './harness.js';

const fx = useActionFixture();

describe('apply', () => {
  it('applies the manifest, writes a results table and result-json; a second apply has nothing to do', async () => {
    const workspace = makeWorkspace({
      'mint.yaml': manifest('gh-apply', [
        experiment('one'),
        experiment('two', ['tags: { cell_line: HeLa }']),
      ]),
    });
    fx.sandbox.resetStats();
    const githubWritesBefore = fx.gh.writes().length;
    const run = await runAction(
      workspace,
      fx.mintInputs({ command: 'apply', 'comment-on-pr': 'false' }),
      fx.githubEnv(),
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(fx.sandbox.stats().byRoute['POST /api/experiments']).toBe(2);
    const owned = await fx.readOwned('gh-apply');
    expect(owned.map((e) => e.tags['mint-manifest.key']).sort()).toEqual(['one', 'two']);
    expect(owned.find((e) => e.tags['mint-manifest.key'] === 'two')?.tags.cell_line).toBe('HeLa');

    expect(run.summary).toContain(
      '## ✅ Applied stack `gh-apply`: 2 experiments created, 0 changed, 0 deleted',
    );
    expect(run.summary).toContain('| Status | Action | Target | Details |');
    expect(run.summary.match(/^\| ✅ ok \| create experiment \| experiment `(one|two)`/gm)).toHaveLength(2);
    const result = JSON.parse(fs.readFileSync(run.outputs['result-json'], 'utf8'));
    expect(result).toMatchObject({
      stack: 'gh-apply',
      success: true,
      summary: { ok: 2, failed: 0, skipped: 0 },
    });
    // comment-on-pr: false is honoured on a pull_request event.
    expect(fx.gh.writes()).toHaveLength(githubWritesBefore);

    const again = await runAction(
      workspace,
      fx.mintInputs({ command: 'apply', 'comment-on-pr': 'false' }),
      fx.githubEnv(),
    );
    expect(again.code).toBe(0);
    expect(again.outputs['has-changes']).toBe('false');
    expect(again.summary).toContain('no changes, MINT already matched the manifest');
    expect(fx.sandbox.stats().byRoute['POST /api/experiments']).toBe(2);
  });

  it('a failed action fails the step naming what failed and what was applied', async () => {
    const workspace = makeWorkspace({
      'mint.yaml': manifest('gh-fail', [
        experiment('r1', ['analysis:', '  - plugin_id: peak-qc', '    result: { ok: true }']),
      ]),
    });
    fx.sandbox.setFaults({
      rules: [{ method: 'PUT', route: '/api/experiments/{id}/results/{plugin_id}', error500: 1 }],
    });
    try {
      const run = await runAction(
        workspace,
        fx.mintInputs({ command: 'apply', 'comment-on-pr': 'false', retries: '0' }),
        fx.githubEnv(),
      );
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(
        /^::error::Apply failed for stack "gh-fail": 1 of 2 action\(s\) failed \(analysis\.save:r1:peak-qc: .+\); 1 applied, 0 skipped — see the job summary/m,
      );
      expect(run.summary).toMatch(/^\| ❌ failed \| create analysis \| experiment `r1`/m);
      expect(JSON.parse(fs.readFileSync(run.outputs['result-json'], 'utf8'))).toMatchObject({
        success: false,
      });
    } finally {
      fx.sandbox.setFaults({ rules: [] });
    }
  });

  it('refuses a plan other than the reviewed one (expect-fingerprint) and changes nothing', async () => {
    const workspace = makeWorkspace({ 'mint.yaml': manifest('gh-fp', [experiment('f1')]) });
    fx.sandbox.resetStats();
    const run = await runAction(
      workspace,
      fx.mintInputs({ command: 'apply', 'comment-on-pr': 'false', 'expect-fingerprint': '0'.repeat(64) }),
      fx.githubEnv(),
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /^::error::Apply refused for stack "gh-fp": the plan changed since it was reviewed/m,
    );
    expect(fx.sandbox.stats().writes).toBe(0);
  });
});

describe('upload', () => {
  it('saves an analysis result on an experiment found by its manifest key', async () => {
    const workspace = makeWorkspace({
      'mint.yaml': manifest('gh-upload', [experiment('u1')]),
      'results/qc.json': JSON.stringify({ passed: true, peaks: 42 }),
    });
    const applied = await runAction(
      workspace,
      fx.mintInputs({ command: 'apply', 'comment-on-pr': 'false' }),
      fx.githubEnv(),
    );
    expect(applied.code).toBe(0);
    const run = await runAction(
      workspace,
      fx.mintInputs({
        command: 'upload',
        experiment: 'u1',
        'plugin-id': 'peak-qc',
        'result-file': 'results/qc.json',
      }),
      fx.githubEnv(),
    );
    expect(run.code).toBe(0);
    const [exp] = await fx.readOwned('gh-upload');
    const client = new MintClient({ baseUrl: fx.sandbox.url, token: fx.sandbox.adminToken });
    const saved = await client.experiments.analysis.get(exp.id, 'peak-qc');
    client.close();
    expect(saved.result).toEqual({ passed: true, peaks: 42 });
    expect(fs.existsSync(run.outputs['result-json'])).toBe(true);
  });

  it('saves design data with the schema-version input', async () => {
    const workspace = makeWorkspace({
      'mint.yaml': manifest('gh-design-up', [experiment('d1')]),
      'designs/plate.json': JSON.stringify({ wells: 384 }),
    });
    const applied = await runAction(
      workspace,
      fx.mintInputs({ command: 'apply', comment: 'off' }),
      fx.githubEnv(),
    );
    expect(applied.code).toBe(0);
    const run = await runAction(
      workspace,
      fx.mintInputs({
        command: 'upload',
        experiment: 'd1',
        'plugin-id': 'plate-layout',
        'design-file': 'designs/plate.json',
        'schema-version': '2.1',
      }),
      fx.githubEnv(),
    );
    expect(run.code).toBe(0);
    const [exp] = await fx.readOwned('gh-design-up');
    const client = new MintClient({ baseUrl: fx.sandbox.url, token: fx.sandbox.adminToken });
    const saved = await client.experiments.designData.get(exp.id);
    client.close();
    expect(saved).toMatchObject({ plugin_id: 'plate-layout', schema_version: '2.1', data: { wells: 384 } });
  });
});
