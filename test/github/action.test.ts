// The built Action (dist/index.js) run in a child process exactly as the runner runs it, against a
// real sandbox and a recording stand-in for the GitHub REST API. Run `npm run package` first.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MintClient } from '../../src/client/index.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { DIST, FakeGitHub, makeWorkspace, runAction, type RunResult } from './harness.js';

const GITHUB_TOKEN = 'ghs_fakeGithubToken0123456789abcdef';
const PR = 7;

let sandbox: Sandbox;
let gh: FakeGitHub;
let mintToken: string;

function manifest(stack: string, experiments: string[]): string {
  return ['version: 1', `stack: ${stack}`, 'experiments:', ...experiments].join('\n') + '\n';
}

function experiment(key: string, extra: string[] = []): string {
  return [
    `  - key: ${key}`,
    `    name: Experiment ${key}`,
    '    experiment_type: lcms_batch',
    '    status: planned',
    ...extra.map((l) => `    ${l}`),
  ].join('\n');
}

function mintInputs(extra: Record<string, string> = {}): Record<string, string> {
  return {
    'mint-url': sandbox.url,
    'mint-token': mintToken,
    'github-token': GITHUB_TOKEN,
    manifest: 'mint.yaml',
    ...extra,
  };
}

function githubEnv(): Record<string, string> {
  return { GITHUB_API_URL: gh.url };
}

/** Everything the Action printed or wrote, minus the `::add-mask::` lines that hand secrets to the runner. */
function visibleText(run: RunResult): string {
  const stdout = run.stdout
    .split('\n')
    .filter((l) => !l.startsWith('::add-mask::'))
    .join('\n');
  return [stdout, run.stderr, run.summary].join('\n');
}

function commentBodies(issue = PR): string[] {
  return (gh.comments.get(issue) ?? []).map((c) => c.body);
}

function readOwned(stack: string) {
  const client = new MintClient({ baseUrl: sandbox.url, token: sandbox.adminToken });
  return client.experiments.list().then((all) => {
    client.close();
    return all.filter((e) => e.tags['mint-manifest.stack'] === stack);
  });
}

beforeAll(async () => {
  if (!fs.existsSync(DIST)) throw new Error(`${DIST} is missing: run "npm run package" before these tests`);
  sandbox = await startSandbox({ port: 0, quiet: true });
  mintToken = sandbox.createToken({ username: 'admin', kind: 'pat' });
  gh = new FakeGitHub();
  await gh.start();
  // Other people's comments, so finding the sticky one must page past the first 100.
  gh.seed(
    PR,
    Array.from({ length: 130 }, (_, i) => `review comment ${i}`),
  );
});

afterAll(async () => {
  await gh?.close();
  await sandbox?.close();
});

describe('plan on a pull request', () => {
  const ws = () =>
    makeWorkspace(
      { 'mint.yaml': manifest('gh-plan', [experiment('a'), experiment('b'), experiment('c')]) },
      PR,
    );

  it('writes outputs, the summary and one sticky comment, edited in place by the next run', async () => {
    const workspace = ws();
    sandbox.resetStats();
    const first = await runAction(workspace, mintInputs({ command: 'plan' }), githubEnv());
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.outputs).toMatchObject({
      'has-changes': 'true',
      'to-create': '3',
      'to-update': '0',
      'to-delete': '0',
    });
    expect(first.outputs.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    const planFile = first.outputs['plan-json'];
    expect(planFile.startsWith(workspace.temp)).toBe(true);
    expect(JSON.parse(fs.readFileSync(planFile, 'utf8'))).toMatchObject({
      stack: 'gh-plan',
      fingerprint: first.outputs.fingerprint,
    });
    expect(first.summary).toContain('MINT plan for stack `gh-plan`: 3 to create, 0 to update, 0 to delete');
    expect(first.summary).toContain(first.outputs.fingerprint);
    // Planning never writes to MINT.
    expect(sandbox.stats().writes).toBe(0);

    const afterFirst = gh.writes();
    expect(afterFirst).toHaveLength(1);
    expect(afterFirst[0]).toMatchObject({
      method: 'POST',
      path: `/repos/lab/experiments/issues/${PR}/comments`,
    });
    expect(afterFirst[0].authorization).toBe(`token ${GITHUB_TOKEN}`);
    const commentId = gh.comments
      .get(PR)
      ?.find((c) => c.body.includes('<!-- mint-manifest:plan stack=gh-plan -->'))?.id;
    expect(commentId).toBeDefined();

    const second = await runAction(workspace, mintInputs({ command: 'plan' }), githubEnv());
    expect(second.code).toBe(0);
    expect(second.outputs.fingerprint).toBe(first.outputs.fingerprint);
    const writes = gh.writes();
    expect(writes.filter((c) => c.method === 'POST')).toHaveLength(1);
    expect(writes[1]).toMatchObject({
      method: 'PATCH',
      path: `/repos/lab/experiments/issues/comments/${commentId}`,
    });
    // The list was paged (130 foreign comments + ours) rather than read once.
    expect(gh.calls.some((c) => c.method === 'GET' && /[?&]page=2\b/.test(c.path))).toBe(true);

    const ours = commentBodies().filter((b) => b.includes('<!-- mint-manifest:plan stack=gh-plan -->'));
    expect(ours).toHaveLength(1);
    expect(ours[0]).toContain(`<!-- mint-manifest:fingerprint=${first.outputs.fingerprint} -->`);
    expect(ours[0]).toContain('3 to create, 0 to update, 0 to delete');
    expect(ours[0]).toContain('https://github.com/lab/experiments/actions/runs/4242');
  });

  it('never shows the tokens: masked first, absent from the log, summary and comment', async () => {
    const run = await runAction(ws(), mintInputs({ command: 'plan' }), githubEnv());
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    const firstMask = lines.findIndex((l) => l.startsWith('::add-mask::'));
    expect(firstMask).toBe(0);
    expect(lines).toContain(`::add-mask::${mintToken}`);
    expect(lines).toContain(`::add-mask::${GITHUB_TOKEN}`);
    const shown = [
      visibleText(run),
      ...commentBodies(),
      ...gh.calls.map((c) => JSON.stringify(c.body ?? '')),
    ].join('\n');
    expect(shown).not.toContain(mintToken);
    expect(shown).not.toContain(GITHUB_TOKEN);
  });

  it('a refused comment (fork PR token) is a warning, not a failure', async () => {
    gh.writeStatus = 403;
    try {
      const workspace = makeWorkspace({ 'mint.yaml': manifest('gh-fork', [experiment('x')]) }, 8);
      const run = await runAction(workspace, mintInputs({ command: 'plan' }), githubEnv());
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(
        /^::warning::Could not write the plan comment on pull request #8: .*pull-requests: write/m,
      );
    } finally {
      gh.writeStatus = undefined;
    }
  });

  it('truncates an oversized plan under 65,536 characters with a pointer to the job summary', async () => {
    const big = Array.from({ length: 300 }, (_, i) =>
      experiment(`big-${String(i).padStart(3, '0')}`, [
        `notes: "${'long note text '.repeat(40)}"`,
        `tags: { run: "${'r'.repeat(200)}", batch: "${i}" }`,
      ]),
    );
    const workspace = makeWorkspace({ 'mint.yaml': manifest('gh-big', big) }, PR);
    const run = await runAction(workspace, mintInputs({ command: 'plan' }), githubEnv());
    expect(run.code).toBe(0);
    expect(run.outputs['to-create']).toBe('300');
    const body = commentBodies().find((b) => b.includes('<!-- mint-manifest:plan stack=gh-big -->'));
    expect(body).toBeDefined();
    expect(body!.length).toBeLessThanOrEqual(65_536);
    expect(body).toContain(
      '**Plan truncated** to fit a comment: the full plan is in the [job summary](https://github.com/lab/experiments/actions/runs/4242)',
    );
    // The summary holds the whole plan: the last experiment is there, and it stays under 1 MiB.
    expect(run.summary).toContain('big-299');
    expect(body).not.toContain('big-299');
    expect(Buffer.byteLength(run.summary)).toBeLessThan(1024 * 1024);
    // gh-plan's comment is still the only other sticky one: one comment per stack.
    expect(commentBodies().filter((b) => b.includes('<!-- mint-manifest:plan stack='))).toHaveLength(2);
  });

  it('logs each retry of a MINT request as a line', async () => {
    const workspace = makeWorkspace({ 'mint.yaml': manifest('gh-retry', [experiment('r')]) });
    sandbox.setFaults({ seed: 3, rules: [{ method: 'GET', route: '/api/experiments', error503: 1 }] });
    try {
      const run = await runAction(
        workspace,
        mintInputs({ command: 'plan', 'comment-on-pr': 'false', retries: '1' }),
        githubEnv(),
      );
      expect(run.stdout).toMatch(/^Retrying GET \/api\/experiments\S* in \d+(\.\d)?s \(attempt 1\): .+/m);
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/^::error::mint-manifest plan failed: .+/m);
    } finally {
      sandbox.setFaults({ rules: [] });
    }
  });

  it('fail-on-changes turns drift into a failed step with one clear line', async () => {
    const workspace = makeWorkspace({
      'mint.yaml': manifest('gh-drift', [experiment('d1'), experiment('d2')]),
    });
    const run = await runAction(
      workspace,
      mintInputs({ command: 'plan', 'fail-on-changes': 'true', 'comment-on-pr': 'false' }),
      githubEnv(),
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      '::error::Drift detected for stack "gh-drift": 2 to create, 0 to update, 0 to delete — run apply or update the manifest',
    );
    expect(run.outputs['has-changes']).toBe('true');
  });
});

describe('apply', () => {
  it('applies the manifest, writes a results table and result-json; a second apply has nothing to do', async () => {
    const workspace = makeWorkspace({
      'mint.yaml': manifest('gh-apply', [
        experiment('one'),
        experiment('two', ['tags: { cell_line: HeLa }']),
      ]),
    });
    sandbox.resetStats();
    const githubWritesBefore = gh.writes().length;
    const run = await runAction(
      workspace,
      mintInputs({ command: 'apply', 'comment-on-pr': 'false' }),
      githubEnv(),
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(sandbox.stats().byRoute['POST /api/experiments']).toBe(2);
    const owned = await readOwned('gh-apply');
    expect(owned.map((e) => e.tags['mint-manifest.key']).sort()).toEqual(['one', 'two']);
    expect(owned.find((e) => e.tags['mint-manifest.key'] === 'two')?.tags.cell_line).toBe('HeLa');

    expect(run.summary).toContain('MINT apply for stack `gh-apply` applied: 2 ok, 0 failed, 0 skipped');
    expect(run.summary).toContain('| Status | Action | Target | Details |');
    expect(run.summary.match(/^\| ✅ ok \| create experiment \| experiment `(one|two)`/gm)).toHaveLength(2);
    const result = JSON.parse(fs.readFileSync(run.outputs['result-json'], 'utf8'));
    expect(result).toMatchObject({
      stack: 'gh-apply',
      success: true,
      summary: { ok: 2, failed: 0, skipped: 0 },
    });
    // comment-on-pr: false is honoured on a pull_request event.
    expect(gh.writes()).toHaveLength(githubWritesBefore);

    const again = await runAction(
      workspace,
      mintInputs({ command: 'apply', 'comment-on-pr': 'false' }),
      githubEnv(),
    );
    expect(again.code).toBe(0);
    expect(again.outputs['has-changes']).toBe('false');
    expect(again.summary).toContain('Nothing to apply');
    expect(sandbox.stats().byRoute['POST /api/experiments']).toBe(2);
  });

  it('a failed action fails the step naming what failed and what was applied', async () => {
    const workspace = makeWorkspace({
      'mint.yaml': manifest('gh-fail', [
        experiment('r1', ['analysis:', '  - plugin_id: peak-qc', '    result: { ok: true }']),
      ]),
    });
    sandbox.setFaults({
      rules: [{ method: 'PUT', route: '/api/experiments/{id}/results/{plugin_id}', error500: 1 }],
    });
    try {
      const run = await runAction(
        workspace,
        mintInputs({ command: 'apply', 'comment-on-pr': 'false', retries: '0' }),
        githubEnv(),
      );
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(
        /^::error::Apply failed for stack "gh-fail": 1 action\(s\) failed \(analysis\.save:r1:peak-qc: .+\); 1 applied, 0 skipped — see the job summary/m,
      );
      expect(run.summary).toMatch(/^\| ❌ failed \| create analysis \| experiment `r1`/m);
      expect(JSON.parse(fs.readFileSync(run.outputs['result-json'], 'utf8'))).toMatchObject({
        success: false,
      });
    } finally {
      sandbox.setFaults({ rules: [] });
    }
  });

  it('refuses a plan other than the reviewed one (expect-fingerprint) and changes nothing', async () => {
    const workspace = makeWorkspace({ 'mint.yaml': manifest('gh-fp', [experiment('f1')]) });
    sandbox.resetStats();
    const run = await runAction(
      workspace,
      mintInputs({ command: 'apply', 'comment-on-pr': 'false', 'expect-fingerprint': '0'.repeat(64) }),
      githubEnv(),
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /^::error::mint-manifest apply failed: the plan changed since it was reviewed/m,
    );
    expect(sandbox.stats().writes).toBe(0);
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
      mintInputs({ command: 'apply', 'comment-on-pr': 'false' }),
      githubEnv(),
    );
    expect(applied.code).toBe(0);
    const run = await runAction(
      workspace,
      mintInputs({
        command: 'upload',
        experiment: 'u1',
        'plugin-id': 'peak-qc',
        'result-file': 'results/qc.json',
      }),
      githubEnv(),
    );
    expect(run.code).toBe(0);
    const [exp] = await readOwned('gh-upload');
    const client = new MintClient({ baseUrl: sandbox.url, token: sandbox.adminToken });
    const saved = await client.experiments.analysis.get(exp.id, 'peak-qc');
    client.close();
    expect(saved.result).toEqual({ passed: true, peaks: 42 });
    expect(fs.existsSync(run.outputs['result-json'])).toBe(true);
  });
});

describe('failures', () => {
  it('an invalid manifest gives ::error file=…,line=… annotations and a failed step, before any MINT call', async () => {
    const bad = [
      'version: 1',
      'stack: gh-bad',
      'experiments:',
      '  - key: ok-1',
      '    name: fine',
      '    experiment_type: lcms_batch',
      '    status: finished',
      '  - key: "bad key!"',
      '    name: broken',
      '    experiment_type: lcms_batch',
    ].join('\n');
    const workspace = makeWorkspace({ 'infra/mint.yaml': bad });
    sandbox.resetStats();
    const run = await runAction(
      workspace,
      mintInputs({ command: 'plan', 'working-directory': 'infra' }),
      githubEnv(),
    );
    expect(run.code).toBe(1);
    const annotations = run.stdout.split('\n').filter((l) => l.startsWith('::error file='));
    expect(annotations.length).toBeGreaterThanOrEqual(2);
    for (const a of annotations) expect(a).toMatch(/^::error file=infra\/mint\.yaml,line=\d+,col=\d+::\S/);
    expect(annotations.some((a) => a.startsWith('::error file=infra/mint.yaml,line=7,'))).toBe(true);
    expect(run.stdout).toMatch(
      /^::error::Manifest invalid: \d+ errors?: .*— fix the manifest and push again$/m,
    );
    expect(run.summary).toContain('## Manifest invalid');
    expect(sandbox.stats().total).toBe(0);
  });

  it('with no inputs at all it fails cleanly with one line', async () => {
    const workspace = makeWorkspace({});
    const run = await runAction(workspace, {}, { GITHUB_EVENT_NAME: 'push' });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('');
    const errors = run.stdout.split('\n').filter((l) => l.startsWith('::error'));
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(errors.at(-1)).toMatch(/^::error::Manifest invalid: .*mint\.yaml/);
  });

  it('a wrong input fails the step naming the input, without touching MINT', async () => {
    const run = await runAction(
      makeWorkspace({}),
      mintInputs({ command: 'plan', 'max-deletes': 'lots' }),
      githubEnv(),
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      '::error::Input "max-deletes" must be a whole number of at least 0, found "lots"',
    );
  });

  it('missing mint-url or mint-token fails with one line naming the input to set', async () => {
    const workspace = makeWorkspace({ 'mint.yaml': manifest('gh-conn', [experiment('a')]) });
    const noUrl = await runAction(workspace, mintInputs({ command: 'plan', 'mint-url': '' }), githubEnv());
    expect(noUrl.code).toBe(1);
    expect(noUrl.stdout).toMatch(/^::error::No MINT server: set the "mint-url" input/m);
    const noToken = await runAction(
      workspace,
      mintInputs({ command: 'plan', 'mint-token': '' }),
      githubEnv(),
    );
    expect(noToken.code).toBe(1);
    expect(noToken.stdout).toMatch(
      /^::error::No MINT credentials: set the "mint-token" input from a secret/m,
    );
    // MINT_URL / MINT_TOKEN in the step's env: are the documented alternative.
    const fromEnv = await runAction(
      workspace,
      { command: 'plan', manifest: 'mint.yaml', 'comment-on-pr': 'false' },
      { ...githubEnv(), MINT_URL: sandbox.url, MINT_TOKEN: mintToken },
    );
    expect(fromEnv.code).toBe(0);
    expect(fromEnv.stdout.split('\n')).toContain(`::add-mask::${mintToken}`);
  });

  it('a rejected MINT token fails with one line that does not contain the token', async () => {
    const wrong = 'mint_pat_' + 'z'.repeat(40);
    const workspace = makeWorkspace({ 'mint.yaml': manifest('gh-auth', [experiment('a')]) });
    const run = await runAction(
      workspace,
      mintInputs({ command: 'plan', 'mint-token': wrong, 'comment-on-pr': 'false' }),
      githubEnv(),
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^::error::mint-manifest plan failed: .+/m);
    expect(visibleText(run)).not.toContain(wrong);
  });

  it('dist/index.js is a self-contained bundle', () => {
    const text = fs.readFileSync(DIST, 'utf8');
    expect(text).not.toMatch(/require\(["']\.\.?\/(src|lib)\//);
    expect(fs.existsSync(path.join(path.dirname(DIST), 'licenses.txt'))).toBe(true);
  });
});
