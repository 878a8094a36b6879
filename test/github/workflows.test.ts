// action.yml and every example workflow pass the workflow linter CI uses (@action-validator).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { validateAction, validateWorkflow } from '@action-validator/core';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');
const workflowsDir = path.join(root, 'examples/workflows');
const workflows = fs.readdirSync(workflowsDir).filter((f) => f.endsWith('.yml'));

interface ActionMetadata {
  inputs: Record<string, { default?: string }>;
  outputs: Record<string, unknown>;
  runs: { using: string; main: string };
}

describe('action.yml', () => {
  const text = fs.readFileSync(path.join(root, 'action.yml'), 'utf8');
  const meta = parse(text) as ActionMetadata;

  it('runs dist/index.js on node24', () => {
    expect(meta.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
  });

  it('passes the action schema (the validator predates node24, so it checks node20 in its place)', () => {
    const result = validateAction(text.replace(/using: 'node24'/, "using: 'node20'"));
    expect(result.errors).toEqual([]);
  });

  it('declares every input and output of the issue, comment defaulting to always', () => {
    expect(Object.keys(meta.inputs).sort()).toEqual(
      [
        'command',
        'manifest',
        'mint-url',
        'mint-token',
        'mint-username',
        'mint-password',
        'prune',
        'dedupe',
        'max-deletes',
        'concurrency',
        'timeout',
        'retries',
        'allow-insecure-http',
        'continue-on-error',
        'comment',
        'comment-on-pr',
        'label',
        'schema-version',
        'github-token',
        'comment-author',
        'expect-fingerprint',
        'fail-on-changes',
        'experiment',
        'plugin-id',
        'result-file',
        'design-file',
        'working-directory',
        'allow-env',
      ].sort(),
    );
    expect(meta.inputs['comment-on-pr'].default).toBeUndefined();
    expect(meta.inputs.comment.default).toBe('always');
    expect(meta.inputs['github-token'].default).toBe('${{ github.token }}');
    expect(meta.inputs.manifest.default).toBe('mint.yaml');
    expect(Object.keys(meta.outputs).sort()).toEqual(
      [
        'has-changes',
        'to-create',
        'to-update',
        'to-delete',
        'fingerprint',
        'plan-json',
        'result-json',
        'stacks',
      ].sort(),
    );
  });
});

interface Step {
  uses?: string;
  run?: string;
  id?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  if?: string;
  needs?: string | string[];
  environment?: unknown;
  permissions?: unknown;
  concurrency?: { group: string; 'cancel-in-progress': boolean };
  strategy?: { matrix?: { include?: unknown } };
  outputs?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  on: Record<string, { paths?: string[]; inputs?: Record<string, unknown> } | null>;
  permissions?: unknown;
  concurrency?: { group: string; 'cancel-in-progress': boolean };
  env?: Record<string, string>;
  jobs: Record<string, Job>;
}

const readWorkflow = (file: string) => parse(fs.readFileSync(file, 'utf8')) as Workflow;
const example = (name: string) => readWorkflow(path.join(workflowsDir, name));
const ownDir = path.join(root, '.github/workflows');
const own = fs.readdirSync(ownDir).filter((f) => f.endsWith('.yml'));

describe('every workflow (examples and our own)', () => {
  const all = [...workflows.map((f) => path.join(workflowsDir, f)), ...own.map((f) => path.join(ownDir, f))];

  it.each(all)('%s checks out without persisting credentials and names its permissions', (file) => {
    const wf = readWorkflow(file);
    expect(wf.permissions, 'top-level permissions').toBeDefined();
    expect(JSON.stringify(wf.permissions)).not.toMatch(/write-all|read-all/);
    for (const job of Object.values(wf.jobs))
      for (const step of job.steps.filter((s) => s.uses?.startsWith('actions/checkout')))
        expect(step.with?.['persist-credentials']).toBe(false);
  });
});

describe('.github/workflows', () => {
  it('has ci, check-dist and test-action, each passing the workflow schema', () => {
    expect(own.sort()).toEqual(['check-dist.yml', 'ci.yml', 'test-action.yml']);
    for (const f of own)
      expect(validateWorkflow(fs.readFileSync(path.join(ownDir, f), 'utf8')).errors).toEqual([]);
  });

  it('ci runs .ci/run; check-dist rebuilds dist and fails on a difference', () => {
    const ci = readWorkflow(path.join(ownDir, 'ci.yml'));
    expect(ci.jobs.ci.steps.some((s) => s.run === 'bash .ci/run')).toBe(true);
    const steps = readWorkflow(path.join(ownDir, 'check-dist.yml')).jobs['check-dist'].steps;
    const build = steps.findIndex((s) => s.run === 'npm run package');
    const check = steps.findIndex((s) => /git status --porcelain dist\/[\s\S]*exit 1/.test(s.run ?? ''));
    expect(build).toBeGreaterThan(0);
    expect(check).toBeGreaterThan(build);
  });

  it('test-action starts the sandbox, then runs uses: ./ for validate, plan and apply', () => {
    const steps = readWorkflow(path.join(ownDir, 'test-action.yml')).jobs.action.steps;
    const sandbox = steps.findIndex((s) => /lib\/cli\/index\.js sandbox/.test(s.run ?? ''));
    const local = steps.filter((s) => s.uses === './');
    expect(sandbox).toBeGreaterThan(0);
    expect(local.map((s) => s.with?.command)).toEqual(['validate', 'plan', 'apply', 'plan']);
    expect(steps.indexOf(local[0])).toBeGreaterThan(sandbox);
    expect(local[2].with?.['expect-fingerprint']).toBe('${{ steps.plan.outputs.fingerprint }}');
  });
});

/** Runs the reviewed-fingerprint script of an example with a stand-in for github-script's globals. */
async function runLookup(
  script: string,
  env: Record<string, string>,
  comments: { user: { login: string }; body: string }[],
): Promise<{ outputs: Record<string, string>; failed?: string; warned?: string }> {
  const outcome: { outputs: Record<string, string>; failed?: string; warned?: string } = { outputs: {} };
  const core = {
    setOutput: (k: string, v: string) => (outcome.outputs[k] = v),
    setFailed: (m: string) => (outcome.failed = m),
    warning: (m: string) => (outcome.warned = m),
    info: () => undefined,
  };
  const github = {
    rest: {
      repos: {
        listPullRequestsAssociatedWithCommit: async () => ({
          data: [{ number: 9, merged_at: '2026-01-01' }],
        }),
      },
      issues: { listComments: 'listComments' },
    },
    paginate: async () => comments,
  };
  const context = { repo: { owner: 'lab', repo: 'exp' }, sha: 'abcdef1234567890' };
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (
      ...args: string[]
    ) => (...a: unknown[]) => Promise<unknown>;
    await new AsyncFunction('github', 'context', 'core', script)(github, context, core);
  } finally {
    process.env = saved;
  }
  return outcome;
}

describe('the reviewed-fingerprint lookup of apply-on-main', () => {
  const wf = example('apply-on-main.yml');
  const step = wf.jobs.apply.steps.find((s) => s.id === 'reviewed')!;
  const script = String(step.with?.script);
  const env = { STACK: 'tca-flux', LABEL: '', GIVEN: '', AUTO_APPROVE: 'false' };
  const marker = '<!-- mint-manifest:plan stack=tca-flux -->';
  const fp = 'a'.repeat(64);
  const planBody = `${marker}\n<!-- mint-manifest:fingerprint=${fp} -->\n### plan`;

  it('reads the fingerprint from our own plan comment only', async () => {
    const forged = { user: { login: 'mallory' }, body: planBody.replace(fp, 'b'.repeat(64)) };
    const mine = { user: { login: 'github-actions[bot]' }, body: planBody };
    expect((await runLookup(script, env, [forged, mine])).outputs.fingerprint).toBe(fp);
  });

  it('fails closed when only someone else carries the marker, or no plan comment is there', async () => {
    const forged = { user: { login: 'mallory' }, body: planBody };
    const r = await runLookup(script, env, [forged]);
    expect(r.outputs.fingerprint).toBeUndefined();
    expect(r.failed).toMatch(/refusing to apply an unreviewed plan/);
    // An apply outcome replaced the plan comment (no fingerprint field): refuse as well.
    const applied = { user: { login: 'github-actions[bot]' }, body: `${marker}\n### ✅ Applied` };
    expect((await runLookup(script, env, [applied])).failed).toMatch(/refusing/);
  });

  it('auto-approve: true lets it go on without a fingerprint; a dispatched fingerprint is used as given', async () => {
    const r = await runLookup(script, { ...env, AUTO_APPROVE: 'true' }, []);
    expect(r.failed).toBeUndefined();
    expect(r.warned).toMatch(/auto-approve: true/);
    expect((await runLookup(script, { ...env, GIVEN: 'c'.repeat(64) }, [])).outputs.fingerprint).toBe(
      'c'.repeat(64),
    );
  });
});

describe('examples/workflows', () => {
  it('has the five examples', () => {
    expect(workflows.sort()).toEqual([
      'apply-on-main.yml',
      'drift-check.yml',
      'matrix-stacks.yml',
      'plan-on-pr.yml',
      'upload-results.yml',
    ]);
  });

  it.each(workflows)('%s passes the workflow schema', (file) => {
    const result = validateWorkflow(fs.readFileSync(path.join(workflowsDir, file), 'utf8'));
    expect(result.errors).toEqual([]);
  });

  it('the linter does reject a broken workflow (so the checks above can fail)', () => {
    const result = validateWorkflow('on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    stepz: []\n');
    expect(result.errors.length).toBeGreaterThan(0);
  });

  it('apply-on-main: one apply per stack at a time, environment protection, re-runs by dispatch', () => {
    const wf = example('apply-on-main.yml');
    expect(wf.concurrency).toEqual({ group: 'mint-apply-tca-flux', 'cancel-in-progress': false });
    expect(wf.concurrency?.group).toContain(wf.env?.STACK);
    expect(wf.jobs.apply.environment).toBe('mint-production');
    expect(Object.keys(wf.on.workflow_dispatch?.inputs ?? {})).toEqual(['fingerprint', 'auto-approve']);
    const step = wf.jobs.apply.steps.find((s) => s.uses?.includes('mint-manifest'));
    expect(step?.with?.['expect-fingerprint']).toMatch(/steps\.reviewed\.outputs\.fingerprint/);
  });

  it('plan and apply run on the data files too, not only the manifest', () => {
    expect(example('plan-on-pr.yml').on.pull_request?.paths).toEqual(
      expect.arrayContaining(['mint.yaml', 'designs/**', 'results/**', 'schemas/**']),
    );
    expect(example('apply-on-main.yml').on.push?.paths).toEqual(
      expect.arrayContaining(['mint.yaml', 'designs/**', 'results/**', 'schemas/**']),
    );
  });

  it('plan-on-pr asks only for contents: read and pull-requests: write, and skips fork pull requests', () => {
    const wf = example('plan-on-pr.yml');
    expect(wf.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
    expect(wf.jobs.plan.if).toContain('github.event.pull_request.head.repo.full_name == github.repository');
  });

  it('matrix-stacks: validate lists the stacks, one plan and one apply job per stack', () => {
    const wf = example('matrix-stacks.yml');
    expect(wf.jobs.validate.outputs?.stacks).toBe('${{ steps.validate.outputs.stacks }}');
    for (const name of ['plan', 'apply']) {
      expect(wf.jobs[name].needs).toBe('validate');
      expect(wf.jobs[name].strategy?.matrix?.include).toBe('${{ fromJSON(needs.validate.outputs.stacks) }}');
    }
    expect(wf.jobs.apply.concurrency).toEqual({
      group: 'mint-apply-${{ matrix.stack }}',
      'cancel-in-progress': false,
    });
    expect(wf.jobs.apply.environment).toBe('mint-production');
    expect(wf.jobs.validate.if).toContain('head.repo.full_name == github.repository');
  });
});
