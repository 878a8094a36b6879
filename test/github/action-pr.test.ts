// The pull request story, driven through the built dist/index.js like the runner runs it, against a
// real sandbox and a recording stand-in for GitHub: only our own comment is edited; failures,
// apply outcomes and refusals replace it; labels and comment modes; a dist/ that runs on its own.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DIST,
  experiment,
  makeWorkspace,
  manifest,
  runAction,
  useActionFixture,
  type Workspace,
} from './harness.js';
import { html, keepRendered } from './render.js';

const fx = useActionFixture();
let nextPr = 100;

function marker(stack: string, label?: string): string {
  return label
    ? `<!-- mint-manifest:plan stack=${stack} label=${label} -->`
    : `<!-- mint-manifest:plan stack=${stack} -->`;
}

function ours(pr: number, stack: string, label?: string) {
  return (fx.gh.comments.get(pr) ?? []).filter(
    (c) => c.user.login === 'github-actions[bot]' && c.body.split('\n').includes(marker(stack, label)),
  );
}

function pushEvent(ws: Workspace, sha: string): Record<string, string> {
  const file = path.join(path.dirname(ws.dir), 'push.json');
  fs.writeFileSync(file, JSON.stringify({ ref: 'refs/heads/main', after: sha }));
  return { ...fx.githubEnv(), GITHUB_EVENT_NAME: 'push', GITHUB_EVENT_PATH: file, GITHUB_SHA: sha };
}

describe('only our own comment', () => {
  it('leaves a comment of someone else carrying our marker alone and writes its own', async () => {
    const pr = nextPr++;
    const [forged] = fx.gh.seed(
      pr,
      [`${marker('pr-own')}\n<!-- mint-manifest:fingerprint=${'0'.repeat(64)} -->\nfake`],
      'mallory',
    );
    const ws = makeWorkspace({ 'mint.yaml': manifest('pr-own', [experiment('a')]) }, pr);
    const run = await runAction(ws, fx.mintInputs({ command: 'plan' }), fx.githubEnv());
    expect(run.code).toBe(0);
    expect(fx.gh.calls.filter((c) => c.method === 'PATCH' && c.path.endsWith(`/comments/${forged}`))).toEqual(
      [],
    );
    expect(fx.gh.comments.get(pr)?.find((c) => c.id === forged)?.body).toContain('fake');
    expect(ours(pr, 'pr-own')).toHaveLength(1);
    // GET /user answered 403 (the workflow token): the identity is github-actions[bot].
    expect(fx.gh.calls.some((c) => c.method === 'GET' && c.path === '/user')).toBe(true);
  });

  it('with a personal token, the comment of GET /user login is the one edited', async () => {
    const pr = nextPr++;
    fx.gh.tokenLogin = 'lab-robot';
    try {
      const [mine] = fx.gh.seed(pr, [`${marker('pr-pat')}\nold plan`], 'lab-robot');
      const [botOne] = fx.gh.seed(pr, [`${marker('pr-pat')}\nbot plan`], 'github-actions[bot]');
      const ws = makeWorkspace({ 'mint.yaml': manifest('pr-pat', [experiment('a')]) }, pr);
      const run = await runAction(ws, fx.mintInputs({ command: 'plan' }), fx.githubEnv());
      expect(run.code).toBe(0);
      const patched = fx.gh.calls.filter((c) => c.method === 'PATCH').map((c) => c.path);
      expect(patched).toContain(`/repos/lab/experiments/issues/comments/${mine}`);
      expect(patched).not.toContain(`/repos/lab/experiments/issues/comments/${botOne}`);
    } finally {
      fx.gh.tokenLogin = undefined;
    }
  });
});

describe("a GitHub App's installation token", () => {
  /** A plan of stack pr-app on `pr` with comment-author set: the run and the GitHub calls it made. */
  async function planWithAuthor(pr: number, author: string) {
    const ws = makeWorkspace({ 'mint.yaml': manifest('pr-app', [experiment('a')]) }, pr);
    const before = fx.gh.calls.length;
    const run = await runAction(
      ws,
      fx.mintInputs({ command: 'plan', 'comment-author': author }),
      fx.githubEnv(),
    );
    return { run, calls: fx.gh.calls.slice(before) };
  }

  // GET /user refuses it (403) and it writes as the app's bot, so only comment-author finds our comment.
  it('comment-author names the app bot: its comment is edited, none is added', async () => {
    const pr = nextPr++;
    fx.gh.appLogin = 'lab-app[bot]';
    try {
      const [mine] = fx.gh.seed(pr, [`${marker('pr-app')}\nold plan`], 'lab-app[bot]');
      const [forged] = fx.gh.seed(pr, [`${marker('pr-app')}\npasted`], 'mallory');
      const { run, calls } = await planWithAuthor(pr, 'lab-app[bot]');
      expect(run.code, run.stdout).toBe(0);
      const writes = calls.filter((c) => c.method !== 'GET').map((c) => `${c.method} ${c.path}`);
      expect(writes).toEqual([`PATCH /repos/lab/experiments/issues/comments/${mine}`]);
      expect(fx.gh.comments.get(pr)?.find((c) => c.id === forged)?.body).toContain('pasted');
      // GitHub was asked first and refused (403): only then is the named login used
      expect(calls.some((c) => c.path === '/user')).toBe(true);
    } finally {
      fx.gh.appLogin = undefined;
    }
  });

  it("GitHub's answer wins over comment-author: a personal token never edits the named login's comment", async () => {
    const pr = nextPr++;
    fx.gh.tokenLogin = 'lab-robot';
    try {
      const [alice] = fx.gh.seed(pr, [`${marker('pr-app')}\nalice's`], 'alice');
      const { run, calls } = await planWithAuthor(pr, 'alice');
      expect(run.code, run.stdout).toBe(0);
      expect(run.stdout).toContain(
        'comment-author "alice" is not used: GitHub says github-token writes as lab-robot',
      );
      const writes = calls.filter((c) => c.method !== 'GET');
      expect(writes.map((c) => `${c.method} ${c.path}`)).toEqual([
        `POST /repos/lab/experiments/issues/${pr}/comments`,
      ]);
      expect(fx.gh.comments.get(pr)?.find((c) => c.id === alice)?.body).toContain("alice's");
    } finally {
      fx.gh.tokenLogin = undefined;
    }
  });

  it('refuses a comment-author that is not a GitHub login, before anything is planned', async () => {
    const { run, calls } = await planWithAuthor(nextPr++, 'lab app');
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      'Input "comment-author" must be a GitHub login such as "my-lab-app[bot]", found "lab app"',
    );
    expect(calls).toEqual([]);
  });
});

describe('the comment tells the story', () => {
  it('a failed plan replaces the plan comment, listing the errors with file:line', async () => {
    const pr = nextPr++;
    const ws = makeWorkspace({ 'infra/mint.yaml': manifest('pr-fail', [experiment('a')]) }, pr);
    const inputs = fx.mintInputs({ command: 'plan', manifest: 'infra/mint.yaml' });
    expect((await runAction(ws, inputs, fx.githubEnv())).code).toBe(0);
    expect(ours(pr, 'pr-fail')[0].body).toContain('mint-manifest:fingerprint=');

    fs.writeFileSync(
      path.join(ws.dir, 'infra/mint.yaml'),
      manifest('pr-fail', [
        experiment('a').replace('status: planned', 'status: finished'),
        experiment('B A D'),
      ]),
    );
    const failed = await runAction(ws, inputs, fx.githubEnv());
    expect(failed.code).toBe(1);
    const [comment] = ours(pr, 'pr-fail');
    expect(ours(pr, 'pr-fail')).toHaveLength(1);
    expect(comment.body).toContain('### ❌ MINT plan failed for stack `pr-fail`');
    expect(comment.body).toMatch(/^- `infra\/mint\.yaml:7:\d+` experiments\[0\]\.status: /m);
    expect(comment.body).toMatch(/^- `infra\/mint\.yaml:8:\d+` experiments\[1\]\.key: /m);
    // A stale plan never stays up: no fingerprint to apply from a failed plan.
    expect(comment.body).not.toContain('mint-manifest:fingerprint=');
    // The failure line names the same path as the annotations.
    expect(failed.stdout).toMatch(/^::error file=infra\/mint\.yaml,line=7,/m);
    expect(failed.stdout).toMatch(/^::error::Manifest invalid: 2 errors: infra\/mint\.yaml:7:\d+ /m);
  });

  it('a MINT error during plan replaces the comment too', async () => {
    const pr = nextPr++;
    const ws = makeWorkspace({ 'mint.yaml': manifest('pr-down', [experiment('a')]) }, pr);
    fx.sandbox.setFaults({ rules: [{ method: 'GET', route: '/api/experiments', error503: 1 }] });
    try {
      const run = await runAction(ws, fx.mintInputs({ command: 'plan', retries: '0' }), fx.githubEnv());
      expect(run.code).toBe(1);
    } finally {
      fx.sandbox.setFaults({ rules: [] });
    }
    const [comment] = ours(pr, 'pr-down');
    expect(comment.body).toContain('### ❌ MINT plan failed for stack `pr-down`');
    expect(comment.body).toContain('A MINT request failed');
  });

  it('labels keep two plans of one stack apart; changes-only and off write nothing new', async () => {
    const pr = nextPr++;
    const ws = makeWorkspace({ 'mint.yaml': manifest('pr-label', [experiment('a')]) }, pr);
    for (const label of ['staging', 'production'])
      expect((await runAction(ws, fx.mintInputs({ command: 'plan', label }), fx.githubEnv())).code).toBe(0);
    expect(ours(pr, 'pr-label', 'staging')[0].body).toContain(
      '### MINT plan for stack `pr-label` (staging): 1 experiment to create',
    );
    expect(ours(pr, 'pr-label', 'production')).toHaveLength(1);

    const before = fx.gh.writes().length;
    const off = await runAction(
      ws,
      fx.mintInputs({ command: 'plan', label: 'qa', comment: 'off' }),
      fx.githubEnv(),
    );
    expect(off.code).toBe(0);
    expect(fx.gh.writes()).toHaveLength(before);

    // Apply it, then a changes-only plan with nothing to do creates no comment ...
    const applied = await runAction(ws, fx.mintInputs({ command: 'apply', comment: 'off' }), fx.githubEnv());
    expect(applied.code).toBe(0);
    const quiet = await runAction(
      ws,
      fx.mintInputs({ command: 'plan', label: 'qa', comment: 'changes-only' }),
      fx.githubEnv(),
    );
    expect(quiet.outputs['has-changes']).toBe('false');
    expect(fx.gh.writes()).toHaveLength(before);
    // ... but does update an earlier one, so its stale plan does not stay up.
    await runAction(
      ws,
      fx.mintInputs({ command: 'plan', label: 'staging', comment: 'changes-only' }),
      fx.githubEnv(),
    );
    expect(ours(pr, 'pr-label', 'staging')[0].body).toContain('(staging): no changes');
  });

  it('an apply on push reports on the merged pull request: "Applied …" with the created codes', async () => {
    const pr = nextPr++;
    const sha = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
    fx.gh.commitPulls.set(sha, [{ number: pr, state: 'closed', merged_at: '2026-11-29T10:00:00Z' }]);
    const ws = makeWorkspace(
      { 'mint.yaml': manifest('pr-apply', [experiment('one'), experiment('two')]) },
      pr,
    );
    const plan = await runAction(ws, fx.mintInputs({ command: 'plan' }), fx.githubEnv());
    const run = await runAction(
      ws,
      fx.mintInputs({ command: 'apply', 'expect-fingerprint': plan.outputs.fingerprint }),
      pushEvent(ws, sha),
    );
    expect(run.code).toBe(0);
    expect(fx.gh.calls.some((c) => c.path === `/repos/lab/experiments/commits/${sha}/pulls`)).toBe(true);
    const owned = await fx.readOwned('pr-apply');
    const codes = owned.map((e) => e.experiment_code).sort();
    const [comment] = ours(pr, 'pr-apply');
    expect(ours(pr, 'pr-apply')).toHaveLength(1);
    expect(comment.body).toContain(
      '### ✅ Applied stack `pr-apply`: 2 experiments created, 0 changed, 0 deleted',
    );
    for (const code of codes) {
      expect(comment.body).toContain(`\`${code}\``);
      expect(run.summary).toContain(`\`${code}\``);
      expect(run.stdout).toContain(`Created ${code} (`);
    }
    expect(comment.body).not.toContain('mint-manifest:fingerprint=');
    keepRendered('run-apply-comment', comment.body);
    keepRendered('run-apply-summary', run.summary);
    const result = JSON.parse(fs.readFileSync(run.outputs['result-json'], 'utf8')) as {
      created: { key: string; code: string }[];
    };
    expect(result.created.map((c) => c.code).sort()).toEqual(codes);
    expect(result.created.map((c) => c.key).sort()).toEqual(['one', 'two']);
  });

  it('an apply on a push that came from no pull request writes no comment and does not fail', async () => {
    const sha = 'ffffeeeeddddccccbbbbaaaa9999888877776666';
    const ws = makeWorkspace({ 'mint.yaml': manifest('pr-direct', [experiment('d')]) }, 999);
    const before = fx.gh.writes().length;
    const run = await runAction(ws, fx.mintInputs({ command: 'apply' }), pushEvent(ws, sha));
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Commit ffffeee came from no pull request: no pull request comment');
    expect(fx.gh.writes()).toHaveLength(before);
  });

  it('"Apply failed: N of M" on the pull request when an action fails', async () => {
    const pr = nextPr++;
    const ws = makeWorkspace(
      {
        'mint.yaml': manifest('pr-applyfail', [
          experiment('r1', ['analysis:', '  - plugin_id: peak-qc', '    result: { ok: true }']),
        ]),
      },
      pr,
    );
    fx.sandbox.setFaults({
      rules: [{ method: 'PUT', route: '/api/experiments/{id}/results/{plugin_id}', error500: 1 }],
    });
    try {
      const run = await runAction(ws, fx.mintInputs({ command: 'apply', retries: '0' }), fx.githubEnv());
      expect(run.code).toBe(1);
    } finally {
      fx.sandbox.setFaults({ rules: [] });
    }
    const [comment] = ours(pr, 'pr-applyfail');
    expect(comment.body).toContain(
      '### ❌ Apply failed: 1 of 2 actions failed for stack `pr-applyfail` (1 applied)',
    );
    expect(comment.body).toMatch(/\| ❌ failed \| create analysis \|/);
  });

  it('a refused apply shows the plan it refused: log, summary, outputs and the comment', async () => {
    const pr = nextPr++;
    const ws = makeWorkspace({ 'mint.yaml': manifest('pr-refuse', [experiment('f1')]) }, pr);
    fx.sandbox.resetStats();
    const run = await runAction(
      ws,
      fx.mintInputs({ command: 'apply', 'expect-fingerprint': '0'.repeat(64) }),
      fx.githubEnv(),
    );
    expect(run.code).toBe(1);
    expect(fx.sandbox.stats().writes).toBe(0);
    expect(run.outputs['has-changes']).toBe('true');
    expect(run.outputs.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(run.summary).toContain('## ⛔ Apply refused for stack `pr-refuse`: nothing was changed in MINT');
    expect(run.summary).toContain('experiment f1');
    expect(run.stdout).toMatch(/^::group::Plan: 1 experiment to create/m);
    expect(run.stdout).toMatch(
      /^::error::Apply refused for stack "pr-refuse": the plan changed since it was reviewed/m,
    );
    // The summary file ends with a blank line: what is appended next starts its own paragraph.
    expect(run.summary.endsWith('\n\n')).toBe(true);
    expect(html(run.summary)).toContain('<h2>⛔ Apply refused for stack <code>pr-refuse</code>');
    keepRendered('run-refused-summary', run.summary);
    const [comment] = ours(pr, 'pr-refuse');
    keepRendered('run-refused-comment', comment.body);
    expect(comment.body).toContain('### ⛔ Apply refused for stack `pr-refuse`');
    expect(comment.body).toContain(`expect-fingerprint: ${run.outputs.fingerprint.slice(0, 12)}`);
    expect(comment.body).not.toContain('mint-manifest:fingerprint=');
  });

  it('the prune guard refusal (max-deletes) says so and lists the deletions', async () => {
    const pr = nextPr++;
    const ws = makeWorkspace({ 'mint.yaml': manifest('pr-prune', [experiment('k1'), experiment('k2')]) }, pr);
    expect(
      (await runAction(ws, fx.mintInputs({ command: 'apply', comment: 'off' }), fx.githubEnv())).code,
    ).toBe(0);
    fs.writeFileSync(path.join(ws.dir, 'mint.yaml'), manifest('pr-prune', [experiment('k1')]));
    const run = await runAction(
      ws,
      fx.mintInputs({ command: 'apply', prune: 'true', 'max-deletes': '0' }),
      fx.githubEnv(),
    );
    expect(run.code).toBe(1);
    expect(run.outputs['to-delete']).toBe('1');
    expect(run.summary).toContain('Deletes 1 experiment');
    expect(run.summary).toContain('set `max-deletes` to at least 1');
    expect(ours(pr, 'pr-prune')[0].body).toContain('⛔ Apply refused');
    expect((await fx.readOwned('pr-prune')).length).toBe(2);
  });
});

describe('orphans', () => {
  it('an orphan left alone is a change: has-changes is true and the comment says so', async () => {
    const pr = nextPr++;
    const ws = makeWorkspace(
      { 'mint.yaml': manifest('pr-orphan', [experiment('o1'), experiment('o2')]) },
      pr,
    );
    expect(
      (await runAction(ws, fx.mintInputs({ command: 'apply', comment: 'off' }), fx.githubEnv())).code,
    ).toBe(0);
    fs.writeFileSync(path.join(ws.dir, 'mint.yaml'), manifest('pr-orphan', [experiment('o1')]));
    const run = await runAction(ws, fx.mintInputs({ command: 'plan' }), fx.githubEnv());
    expect(run.code).toBe(0);
    expect(run.outputs['has-changes']).toBe('true');
    expect(run.outputs['to-delete']).toBe('0');
    const [comment] = ours(pr, 'pr-orphan');
    expect(comment.body).toContain('1 orphaned (not deleted)');
    expect(comment.body).toContain('1 orphaned experiment');
  });
});

describe('annotations', () => {
  it('at most 10 error annotations in the step, the failure line included', async () => {
    const bad = Array.from({ length: 14 }, (_, i) => experiment(`bad ${i}`));
    const ws = makeWorkspace({ 'mint.yaml': manifest('pr-many', bad) });
    const run = await runAction(ws, fx.mintInputs({ command: 'validate' }), fx.githubEnv());
    expect(run.code).toBe(1);
    const errors = run.stdout.split('\n').filter((l) => l.startsWith('::error'));
    expect(errors).toHaveLength(10);
    expect(errors[9]).toMatch(/^::error::Manifest invalid: 14 errors: mint\.yaml:/);
    expect(run.stdout).toMatch(/^::warning::5 more errors not annotated/m);
  });
});

describe('validate for a matrix', () => {
  it('lists one {stack, manifest} per stack', async () => {
    const ws = makeWorkspace({
      'stacks/alpha/mint.yaml': manifest('alpha', [experiment('a')]),
      'stacks/beta/mint.yaml': manifest('beta', [experiment('b')]),
    });
    const run = await runAction(ws, { command: 'validate', manifest: 'stacks/*/mint.yaml' }, fx.githubEnv());
    expect(run.code).toBe(0);
    expect(JSON.parse(run.outputs.stacks)).toEqual([
      { stack: 'alpha', manifest: 'stacks/alpha/mint.yaml' },
      { stack: 'beta', manifest: 'stacks/beta/mint.yaml' },
    ]);
    const one = await runAction(
      ws,
      { command: 'validate', manifest: 'stacks/alpha/mint.yaml' },
      fx.githubEnv(),
    );
    expect(JSON.parse(one.outputs.stacks)).toEqual([{ stack: 'alpha', manifest: 'stacks/alpha/mint.yaml' }]);
  });
});

describe('dist/ on its own', () => {
  it('runs from a copy holding only dist/ and action.yml (the schema is bundled)', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-dist-only-'));
    fs.cpSync(path.dirname(DIST), path.join(root, 'dist'), { recursive: true });
    fs.copyFileSync(path.join(path.dirname(DIST), '..', 'action.yml'), path.join(root, 'action.yml'));
    expect(fs.readdirSync(root).sort()).toEqual(['action.yml', 'dist']);
    const ws = makeWorkspace({
      'mint.yaml': manifest('solo', [experiment('a').replace('status: planned', 'status: nope')]),
    });
    const run = await runAction(ws, { command: 'validate' }, {}, path.join(root, 'dist', 'index.js'));
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^::error file=mint\.yaml,line=7,.*status/m);
    expect(run.stdout).not.toMatch(/ENOENT/);
  });
});
