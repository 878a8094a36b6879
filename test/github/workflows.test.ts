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

  it('declares every input and output of the issue, comment-on-pr without a default', () => {
    expect(Object.keys(meta.inputs).sort()).toEqual(
      [
        'command',
        'manifest',
        'mint-url',
        'mint-token',
        'mint-username',
        'mint-password',
        'prune',
        'max-deletes',
        'concurrency',
        'timeout',
        'retries',
        'allow-insecure-http',
        'continue-on-error',
        'comment-on-pr',
        'github-token',
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
      ].sort(),
    );
  });
});

describe('examples/workflows', () => {
  it('has the four examples', () => {
    expect(workflows.sort()).toEqual([
      'apply-on-main.yml',
      'drift-check.yml',
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

  it('apply-on-main never runs two applies at once and passes the reviewed fingerprint', () => {
    const wf = parse(fs.readFileSync(path.join(workflowsDir, 'apply-on-main.yml'), 'utf8')) as {
      concurrency: unknown;
      jobs: { apply: { steps: { uses?: string; with?: Record<string, unknown> }[] } };
    };
    expect(wf.concurrency).toEqual({ group: 'mint-apply', 'cancel-in-progress': false });
    const step = wf.jobs.apply.steps.find((s) => s.uses?.includes('mint-manifest'));
    expect(step?.with?.['expect-fingerprint']).toMatch(/steps\.reviewed\.outputs\.fingerprint/);
  });

  it('plan-on-pr asks only for contents: read and pull-requests: write', () => {
    const wf = parse(fs.readFileSync(path.join(workflowsDir, 'plan-on-pr.yml'), 'utf8')) as {
      permissions: unknown;
    };
    expect(wf.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
  });
});
