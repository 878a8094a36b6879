// The built Action (dist/index.js) run in a child process exactly as the runner runs it, against a
// real sandbox and a recording stand-in for the GitHub REST API. Run `npm run package` first.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DIST,
  experiment,
  GITHUB_TOKEN,
  makeWorkspace,
  manifest,
  PR,
  runAction,
  useActionFixture,
  visibleText,
} from './harness.js';

const fx = useActionFixture();

/** The `::error` lines of a run's log (each one is an error annotation the runner shows). */
function errorLines(stdout: string): string[] {
  return stdout.split('\n').filter((l) => l.startsWith('::error'));
}

beforeAll(() => {
  // Other people's comments, so finding the sticky one must page past the first 100.
  fx.gh.seed(
    PR,
    Array.from({ length: 130 }, (_, i) => `review comment ${i}`),
  );
});

describe('plan on a pull request', () => {
  const ws = () =>
    makeWorkspace(
      { 'mint.yaml': manifest('gh-plan', [experiment('a'), experiment('b'), experiment('c')]) },
      PR,
    );

  it('writes outputs, the summary and one sticky comment, edited in place by the next run', async () => {
    const workspace = ws();
    fx.sandbox.resetStats();
    const first = await runAction(workspace, fx.mintInputs({ command: 'plan' }), fx.githubEnv());
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
    expect(first.summary).toContain(
      '## MINT plan for stack `gh-plan`: 3 experiments to create, 0 to change, 0 to delete',
    );
    expect(first.summary).toContain(first.outputs.fingerprint);
    // Planning never writes to MINT.
    expect(fx.sandbox.stats().writes).toBe(0);

    const afterFirst = fx.gh.writes();
    expect(afterFirst).toHaveLength(1);
    expect(afterFirst[0]).toMatchObject({
      method: 'POST',
      path: `/repos/lab/experiments/issues/${PR}/comments`,
    });
    expect(afterFirst[0].authorization).toBe(`token ${GITHUB_TOKEN}`);
    const commentId = fx.gh.comments
      .get(PR)
      ?.find((c) => c.body.includes('<!-- mint-manifest:plan stack=gh-plan -->'))?.id;
    expect(commentId).toBeDefined();

    const second = await runAction(workspace, fx.mintInputs({ command: 'plan' }), fx.githubEnv());
    expect(second.code).toBe(0);
    expect(second.outputs.fingerprint).toBe(first.outputs.fingerprint);
    const writes = fx.gh.writes();
    expect(writes.filter((c) => c.method === 'POST')).toHaveLength(1);
    expect(writes[1]).toMatchObject({
      method: 'PATCH',
      path: `/repos/lab/experiments/issues/comments/${commentId}`,
    });
    // The list was paged (130 foreign comments + ours) rather than read once.
    expect(fx.gh.calls.some((c) => c.method === 'GET' && /[?&]page=2\b/.test(c.path))).toBe(true);

    const ours = fx.commentBodies().filter((b) => b.includes('<!-- mint-manifest:plan stack=gh-plan -->'));
    expect(ours).toHaveLength(1);
    expect(ours[0]).toContain(`<!-- mint-manifest:fingerprint=${first.outputs.fingerprint} -->`);
    expect(ours[0]).toContain('3 experiments to create, 0 to change, 0 to delete');
    expect(ours[0]).toContain('https://github.com/lab/experiments/actions/runs/4242');
  });

  it('never shows the tokens: masked first, absent from the log, summary and comment', async () => {
    const run = await runAction(ws(), fx.mintInputs({ command: 'plan' }), fx.githubEnv());
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    const firstMask = lines.findIndex((l) => l.startsWith('::add-mask::'));
    expect(firstMask).toBe(0);
    expect(lines).toContain(`::add-mask::${fx.mintToken}`);
    expect(lines).toContain(`::add-mask::${GITHUB_TOKEN}`);
    const shown = [
      visibleText(run),
      ...fx.commentBodies(),
      ...fx.gh.calls.map((c) => JSON.stringify(c.body ?? '')),
    ].join('\n');
    expect(shown).not.toContain(fx.mintToken);
    expect(shown).not.toContain(GITHUB_TOKEN);
  });

  it('a refused comment (fork PR token) is a warning, not a failure', async () => {
    fx.gh.writeStatus = 403;
    try {
      const workspace = makeWorkspace({ 'mint.yaml': manifest('gh-fork', [experiment('x')]) }, 8);
      const run = await runAction(workspace, fx.mintInputs({ command: 'plan' }), fx.githubEnv());
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(
        /^::warning::Could not write the comment on pull request #8: .*pull-requests: write/m,
      );
    } finally {
      fx.gh.writeStatus = undefined;
    }
  });

  it('cuts an oversized plan under 65,536 characters with a pointer to the run log and plan-json', async () => {
    const big = Array.from({ length: 300 }, (_, i) =>
      experiment(`big-${String(i).padStart(3, '0')}`, [
        `notes: "${'long note text '.repeat(40)}"`,
        `tags: { run: "${'r'.repeat(200)}", batch: "${i}" }`,
      ]),
    );
    const workspace = makeWorkspace({ 'mint.yaml': manifest('gh-big', big) }, PR);
    const run = await runAction(workspace, fx.mintInputs({ command: 'plan' }), fx.githubEnv());
    expect(run.code).toBe(0);
    expect(run.outputs['to-create']).toBe('300');
    const body = fx.commentBodies().find((b) => b.includes('<!-- mint-manifest:plan stack=gh-big -->'));
    expect(body).toBeDefined();
    expect(body!.length).toBeLessThanOrEqual(65_536);
    expect(body).toMatch(/\*\*The plan is cut here:\*\* \d+ more experiments or projects not shown\./);
    expect(body).toContain(
      'the log of [this workflow run](https://github.com/lab/experiments/actions/runs/4242)',
    );
    // The log the pointer names holds the whole plan, and so does the plan-json file.
    expect(run.stdout).toContain('big-299');
    expect(fs.readFileSync(run.outputs['plan-json'], 'utf8')).toContain('big-299');
    expect(run.summary).toContain('big-299');
    expect(body).not.toContain('big-299');
    expect(Buffer.byteLength(run.summary)).toBeLessThan(1024 * 1024);
    // gh-plan's comment is still the only other sticky one: one comment per stack.
    expect(fx.commentBodies().filter((b) => b.includes('<!-- mint-manifest:plan stack='))).toHaveLength(2);
  });

  it('logs each retry of a MINT request as a line', async () => {
    const workspace = makeWorkspace({ 'mint.yaml': manifest('gh-retry', [experiment('r')]) });
    fx.sandbox.setFaults({ seed: 3, rules: [{ method: 'GET', route: '/api/experiments', error503: 1 }] });
    try {
      const run = await runAction(
        workspace,
        fx.mintInputs({ command: 'plan', 'comment-on-pr': 'false', retries: '1' }),
        fx.githubEnv(),
      );
      expect(run.stdout).toMatch(/^Retrying GET \/api\/experiments\S* in \d+(\.\d)?s \(attempt 1\): .+/m);
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/^::error::mint-manifest plan failed: .+/m);
    } finally {
      fx.sandbox.setFaults({ rules: [] });
    }
  });

  it('fail-on-changes turns drift into a failed step with one clear line', async () => {
    const workspace = makeWorkspace({
      'mint.yaml': manifest('gh-drift', [experiment('d1'), experiment('d2')]),
    });
    const run = await runAction(
      workspace,
      fx.mintInputs({ command: 'plan', 'fail-on-changes': 'true', 'comment-on-pr': 'false' }),
      fx.githubEnv(),
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      '::error::Drift detected for stack "gh-drift": 2 experiments to create, 0 to change, 0 to delete — run apply or update the manifest',
    );
    expect(run.outputs['has-changes']).toBe('true');
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
    fx.sandbox.resetStats();
    const run = await runAction(
      workspace,
      fx.mintInputs({ command: 'plan', 'working-directory': 'infra' }),
      fx.githubEnv(),
    );
    expect(run.code).toBe(1);
    const annotations = run.stdout.split('\n').filter((l) => l.startsWith('::error file='));
    expect(annotations.length).toBeGreaterThanOrEqual(2);
    for (const a of annotations) expect(a).toMatch(/^::error file=infra\/mint\.yaml,line=\d+,col=\d+::\S/);
    expect(annotations.some((a) => a.startsWith('::error file=infra/mint.yaml,line=7,'))).toBe(true);
    expect(run.stdout).toMatch(
      /^::error::Manifest invalid: \d+ errors?: infra\/mint\.yaml:\d+:\d+ .*— fix the manifest and push again$/m,
    );
    expect(run.summary).toContain('## ❌ Manifest invalid');
    expect(fx.sandbox.stats().total).toBe(0);
  });

  it('with no inputs at all it fails cleanly with one line', async () => {
    const workspace = makeWorkspace({});
    const run = await runAction(workspace, {}, { GITHUB_EVENT_NAME: 'push' });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('');
    const errors = errorLines(run.stdout);
    // One annotation on the missing file, then the one line that fails the step.
    expect(errors, run.stdout).toEqual([
      expect.stringMatching(/^::error file=mint\.yaml,line=1,col=1::manifest `mint\.yaml` not found/),
      expect.stringMatching(/^::error::Manifest invalid: .*mint\.yaml/),
    ]);
  });

  it('a wrong input fails the step naming the input, without touching MINT', async () => {
    const run = await runAction(
      makeWorkspace({}),
      fx.mintInputs({ command: 'plan', 'max-deletes': 'lots' }),
      fx.githubEnv(),
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      '::error::Input "max-deletes" must be a whole number of at least 0, found "lots"',
    );
  });

  it('missing mint-url or mint-token fails with one line naming the input to set', async () => {
    const workspace = makeWorkspace({ 'mint.yaml': manifest('gh-conn', [experiment('a')]) });
    const noUrl = await runAction(
      workspace,
      fx.mintInputs({ command: 'plan', 'mint-url': '' }),
      fx.githubEnv(),
    );
    expect(noUrl.code).toBe(1);
    expect(errorLines(noUrl.stdout)).toEqual([
      expect.stringMatching(/^::error::No MINT server: set the "mint-url" input/),
    ]);
    const noToken = await runAction(
      workspace,
      fx.mintInputs({ command: 'plan', 'mint-token': '' }),
      fx.githubEnv(),
    );
    expect(noToken.code).toBe(1);
    expect(errorLines(noToken.stdout)).toEqual([
      expect.stringMatching(/^::error::No MINT credentials: set the "mint-token" input from a secret/),
    ]);
    // MINT_URL / MINT_TOKEN in the step's env: are the documented alternative.
    const fromEnv = await runAction(
      workspace,
      { command: 'plan', manifest: 'mint.yaml', 'comment-on-pr': 'false' },
      { ...fx.githubEnv(), MINT_URL: fx.sandbox.url, MINT_TOKEN: fx.mintToken },
    );
    expect(fromEnv.code).toBe(0);
    expect(fromEnv.stdout.split('\n')).toContain(`::add-mask::${fx.mintToken}`);
  });

  it('a rejected MINT token fails with one line that does not contain the token', async () => {
    const wrong = 'mint_pat_' + 'z'.repeat(40);
    const workspace = makeWorkspace({ 'mint.yaml': manifest('gh-auth', [experiment('a')]) });
    const run = await runAction(
      workspace,
      fx.mintInputs({ command: 'plan', 'mint-token': wrong, 'comment-on-pr': 'false' }),
      fx.githubEnv(),
    );
    expect(run.code).toBe(1);
    expect(errorLines(run.stdout)).toEqual([
      expect.stringMatching(/^::error::mint-manifest plan failed: .+/),
    ]);
    expect(visibleText(run)).not.toContain(wrong);
  });

  it('dist/index.js is a self-contained bundle', () => {
    const text = fs.readFileSync(DIST, 'utf8');
    expect(text).not.toMatch(/require\(["']\.\.?\/(src|lib)\//);
    expect(fs.existsSync(path.join(path.dirname(DIST), 'licenses.txt'))).toBe(true);
  });
});
