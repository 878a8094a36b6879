// Comment and summary Markdown, rendered to HTML with a GitHub-flavoured Markdown renderer (marked,
// GFM on) and checked as a reader sees them: headings, paragraphs, open or collapsed plans.
import { describe, expect, it } from 'vitest';
import type { ActionResult, ApplyResult, Plan, PlanAction } from '../../src/actions/types.js';
import { COMMENT_LIMIT, planMarker } from '../../src/github/comment.js';
import {
  buildApplyComment,
  buildApplySummary,
  buildDiagnosticsSummary,
  buildFailureComment,
  buildPlanComment,
  buildPlanSummary,
  buildRefusalText,
  experimentCounts,
  fingerprintMarker,
  fitSummary,
  fitToBytes,
  tableCell,
} from '../../src/github/markdown.js';
import { html, keepRendered } from './render.js';

const FP = 'abcdef0123456789'.repeat(4);
const runUrl = 'https://github.com/o/r/actions/runs/1';

function createAction(key: string, notes: string): PlanAction {
  return {
    id: `experiment.create:${key}`,
    type: 'experiment',
    op: 'create',
    target: { type: 'experiment', key },
    changes: [
      { field: 'name', after: `Experiment ${key}` },
      { field: 'notes', after: notes },
    ],
    dependsOn: [],
  };
}

function makePlan(count: number, notes = 'n', extra: Partial<Plan> = {}): Plan {
  const actions = Array.from({ length: count }, (_, i) =>
    createAction(`exp-${String(i).padStart(5, '0')}`, notes),
  );
  return {
    formatVersion: 1,
    stack: 'md-test',
    files: ['mint.yaml'],
    actions,
    orphans: [],
    warnings: [],
    summary: { create: count, update: 0, delete: 0, orphaned: 0, unchanged: 0 },
    hasChanges: count > 0,
    fingerprint: FP,
    liveState: {},
    prune: false,
    ...extra,
  };
}

/** Creates, an update with a design change on one experiment, and a pruned deletion. */
function mixedPlan(): Plan {
  const plan = makePlan(2);
  plan.actions.push(
    {
      id: 'experiment.update:kept',
      type: 'experiment',
      op: 'update',
      target: { type: 'experiment', key: 'kept', code: 'LC-0007' },
      changes: [{ field: 'status', before: 'planned', after: 'running' }],
      dependsOn: [],
    },
    {
      id: 'design.save:kept',
      type: 'design',
      op: 'update',
      target: { type: 'design', key: 'kept', code: 'LC-0007', pluginId: 'plate' },
      changes: [{ field: 'data', before: { wells: 96 }, after: { wells: 384 } }],
      dependsOn: [],
    },
    {
      id: 'experiment.delete:gone',
      type: 'experiment',
      op: 'delete',
      target: { type: 'experiment', key: 'gone', code: 'LC-0003' },
      changes: [],
      dependsOn: [],
      reason: 'orphaned: no longer in the manifest',
    },
  );
  plan.orphans = [{ key: 'gone', code: 'LC-0003', experimentId: 3, name: 'Old batch' }];
  plan.prune = true;
  plan.summary = { create: 2, update: 2, delete: 1, orphaned: 0, unchanged: 0 };
  return plan;
}

/** The text a reader sees: tags and HTML comments gone. */
const visible = (md: string) =>
  html(md)
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<[^>]+>/g, '');
const keep = keepRendered;

describe('counts in experiments', () => {
  it('an experiment whose status and design change counts once, as changed', () => {
    expect(experimentCounts(mixedPlan())).toEqual({
      create: 2,
      change: 1,
      delete: 1,
      projects: 0,
      orphaned: 0,
      duplicated: 0,
    });
  });
});

describe('plan comment', () => {
  it('renders as a heading, the fingerprint once and short, deletions first, the plan open', () => {
    const md = buildPlanComment(mixedPlan(), planMarker('md-test', 'staging'), {
      label: 'staging',
      runUrl,
      commitSha: '0123456789',
    });
    keep('plan-comment', md);
    expect(md.startsWith(`${planMarker('md-test', 'staging')}\n${fingerprintMarker(FP)}\n`)).toBe(true);
    const out = html(md);
    expect(out).toContain(
      '<h3>MINT plan for stack <code>md-test</code> (staging): 2 experiments to create, 1 to change, 1 to delete</h3>',
    );
    // Visible: the short fingerprint once outside the "Full fingerprint" block, the full one only inside it.
    const text = visible(md);
    const [outside, inside] = text.split('Full fingerprint');
    expect(outside.split(FP.slice(0, 12)).length - 1).toBe(1);
    expect(outside).not.toContain(FP);
    expect(inside).toContain(FP);
    // The deletion is said first, with what goes with it, and leads the diff.
    expect(text.indexOf('Deletes 1 experiment')).toBeLessThan(text.indexOf('exp-00000'));
    expect(text).toContain('Deletes 1 experiment, with its design data and analysis results');
    expect(out).toMatch(/<details open><summary>Plan: 5 actions/);
    const diff = out.slice(out.indexOf('language-diff'));
    expect(diff.indexOf('LC-0003')).toBeLessThan(diff.indexOf('exp-00000'));
    expect(diff).toContain('with its design data and analysis results');
    // Each part is its own paragraph (nothing runs together).
    expect(out).toMatch(
      /<p>Fingerprint <code>abcdef012345<\/code> · 1 manifest file — pass it as <code>expect-fingerprint<\/code>/,
    );
    expect(out).toContain(
      '<p><sub>Updated by <a href="https://github.com/o/r/actions/runs/1">workflow run</a> for commit <code>0123456</code>.</sub></p>',
    );
  });

  it('collapses a plan of more than 20 actions, with the counts in the collapsed line', () => {
    const small = html(buildPlanComment(makePlan(20), planMarker('md-test')));
    expect(small).toContain('<details open><summary>Plan: 20 actions');
    const md = buildPlanComment(makePlan(21), planMarker('md-test'));
    keep('plan-comment-21', md);
    expect(html(md)).toContain(
      '<details><summary>Plan: 21 actions — 21 experiments to create, 0 to change, 0 to delete</summary>',
    );
  });

  it.each([2_000, 8_000])(
    'cuts a %i-experiment plan under the limit, pointing to the run log and plan-json',
    (n) => {
      const md = buildPlanComment(makePlan(n, 'x'.repeat(60)), planMarker('md-test'), { runUrl });
      keep(`plan-comment-${n}`, md);
      expect(md.length).toBeLessThanOrEqual(COMMENT_LIMIT);
      const text = visible(md);
      expect(text).toMatch(/The plan is cut here: \d+ more experiments or projects not shown\./);
      expect(md).toContain(`the log of [this workflow run](${runUrl})`);
      expect(text).toContain('plan-json');
      // No internal numbers: no character budgets in what a reviewer reads.
      expect(text).not.toMatch(/65[,.]?536|60[,.]?000|character/);
      expect(md.match(/```/g)!.length % 2).toBe(0);
      // Whole experiments only: the last shown block is complete.
      expect(html(md)).toContain('</details>');
    },
  );

  it('respects a smaller limit too', () => {
    const md = buildPlanComment(makePlan(200), planMarker('md-test'), { limit: 5_000 });
    expect(md.length).toBeLessThanOrEqual(5_000);
    expect(md).toContain('the log of this workflow run');
  });

  it('says "no changes" for an empty plan, and lists orphans left alone', () => {
    const plan = makePlan(0, 'n', {
      orphans: [{ key: 'old', code: 'LC-0001', experimentId: 1, name: 'Old' }],
      summary: { create: 0, update: 0, delete: 0, orphaned: 1, unchanged: 0 },
    });
    const md = buildPlanComment(plan, planMarker('md-test'));
    keep('plan-comment-empty', md);
    expect(html(md)).toContain(
      '<h3>MINT plan for stack <code>md-test</code>: no changes; 1 orphaned (not deleted)</h3>',
    );
    expect(visible(md)).toContain('1 orphaned experiment');
  });
});

describe('failed plan comment', () => {
  it('says it failed and lists every error with file:line', () => {
    const md = buildFailureComment(
      'plan',
      'md-test',
      {
        title: 'The manifest is invalid: 2 errors',
        problems: [
          '`infra/mint.yaml:7:5` experiments[1].key: bad key',
          '`infra/mint.yaml:9:1` name: missing',
        ],
        hint: 'Fix the manifest and push again.',
      },
      planMarker('md-test'),
      { runUrl },
    );
    keep('plan-failed', md);
    const out = html(md);
    expect(out).toContain('<h3>❌ MINT plan failed for stack <code>md-test</code></h3>');
    expect(out).toContain('<li><code>infra/mint.yaml:7:5</code> experiments[1].key: bad key</li>');
    expect(visible(md)).toContain('the previous plan on this pull request no longer holds');
    expect(md).not.toContain('mint-manifest:fingerprint=');
  });
});

function result(
  plan: Plan,
  statuses: ActionResult['status'][],
  created: { key: string; code: string; experimentId: number }[] = [],
) {
  const results: ActionResult[] = plan.actions.map((a, i) => ({
    actionId: a.id,
    type: a.type,
    op: a.op,
    target: a.target,
    status: statuses[i] ?? 'ok',
    message:
      statuses[i] === 'failed'
        ? 'HTTP 500 | oops\nline 2'
        : statuses[i] === 'skipped'
          ? 'dependency failed'
          : undefined,
    mayHaveCommitted: statuses[i] === 'failed' ? true : undefined,
    durationMs: 1,
  }));
  const count = (s: string) => results.filter((r) => r.status === s).length;
  const r: ApplyResult = {
    formatVersion: 1,
    stack: plan.stack,
    fingerprint: plan.fingerprint,
    results,
    summary: { ok: count('ok'), failed: count('failed'), skipped: count('skipped') },
    created,
    success: count('ok') === results.length,
  };
  return r;
}

describe('apply outcome', () => {
  it('"Applied …" with the created codes and the results; no reviewable fingerprint marker', () => {
    const plan = mixedPlan();
    const r = result(
      plan,
      [],
      [
        { key: 'exp-00000', code: 'LC-0101', experimentId: 101 },
        { key: 'exp-00001', code: 'LC-0102', experimentId: 102 },
      ],
    );
    const md = buildApplyComment(r, plan, planMarker('md-test'), { runUrl });
    keep('apply-comment', md);
    const out = html(md);
    expect(out).toContain(
      '<h3>✅ Applied stack <code>md-test</code>: 2 experiments created, 1 changed, 1 deleted</h3>',
    );
    expect(out).toContain(
      '<strong>Created:</strong> <code>LC-0101</code> (exp-00000), <code>LC-0102</code> (exp-00001)',
    );
    expect(md).not.toContain('mint-manifest:fingerprint=');
    const summary = buildApplySummary(r, plan, { runUrl });
    keep('apply-summary', summary);
    expect(summary).toContain('`LC-0101` (exp-00000)');
    expect(html(summary)).toContain('<h2>✅ Applied stack');
  });

  it('"Apply failed: N of M", failed rows first and escaped', () => {
    const plan = mixedPlan();
    const r = result(plan, ['ok', 'ok', 'failed', 'skipped', 'ok']);
    const md = buildApplySummary(r, plan);
    keep('apply-failed-summary', md);
    expect(md).toContain('❌ Apply failed: 1 of 5 actions failed for stack `md-test` (3 applied, 1 skipped)');
    const rows = md.split('\n').filter((l) => /^\| (✅|❌|⏭️)/.test(l));
    expect(rows.map((l) => l.split(' | ')[0])).toEqual([
      '| ❌ failed',
      '| ⏭️ skipped',
      '| ✅ ok',
      '| ✅ ok',
      '| ✅ ok',
    ]);
    expect(rows[0]).toContain('HTTP 500 \\| oops line 2 (may have reached MINT; a re-run converges)');
    expect(html(md)).toMatch(/<table>/);
    expect(tableCell('a|b\nc')).toBe('a\\|b c');
  });

  it('an apply that left duplicated keys alone does not claim a failed action', () => {
    const plan = makePlan(1);
    const r = {
      ...result(plan, []),
      success: false,
      duplicates: ['x', 'y'].map((key) => ({ key, copies: [], resolved: false })),
    };
    expect(buildApplySummary(r, plan)).toContain(
      '## ⚠️ Applied stack `md-test` (1 action), but 2 duplicated keys left alone',
    );
  });

  it('a refusal says so, that nothing changed, what to do, and shows the refused plan', () => {
    const plan = mixedPlan();
    const md = buildRefusalText(
      plan,
      'the plan changed since it was reviewed: expected fingerprint 000000000000, got abcdef012345',
      'Review the plan below.',
      { heading: '###', marker: planMarker('md-test') },
      COMMENT_LIMIT,
    );
    keep('refused-comment', md);
    const out = html(md);
    expect(out).toContain(
      '<h3>⛔ Apply refused for stack <code>md-test</code>: nothing was changed in MINT</h3>',
    );
    expect(visible(md)).toContain('Why: the plan changed since it was reviewed');
    expect(out).toMatch(/<details open><summary>Refused plan: 5 actions/);
    expect(md).not.toContain('mint-manifest:fingerprint=');
  });
});

describe('job summary', () => {
  it('keeps a huge plan under 1 MiB (bytes, with multi-byte text)', () => {
    const summary = buildPlanSummary(makePlan(20_000, 'µ'.repeat(70)));
    expect(Buffer.byteLength(summary, 'utf8')).toBeLessThan(1024 * 1024);
    expect(summary).toContain('exp-00000');
    expect(summary).toContain('The plan is cut here');
  });

  it('validation errors are a list with their file:line, each its own item', () => {
    const d = {
      severity: 'error' as const,
      code: 'x',
      file: 'mint.yaml',
      line: 7,
      column: 5,
      path: 'experiments[1].key',
      message: 'key must be lowercase',
    };
    const md = buildDiagnosticsSummary([d, { ...d, line: 9 }], []);
    keep('diagnostics', md);
    expect(html(md)).toContain(
      '<li><code>mint.yaml:9:5</code> experiments[1].key: key must be lowercase</li>',
    );
  });

  it('fitSummary keeps three large parts under 1 MiB together', () => {
    const part = buildPlanSummary(makePlan(20_000, 'y'.repeat(70)));
    expect(Buffer.byteLength(part)).toBeGreaterThan(400 * 1024);
    const both = fitSummary(`${part}\n${part}\n${part}`);
    expect(Buffer.byteLength(both)).toBeLessThan(1024 * 1024);
    expect(both).toContain('Cut here');
  });

  it('fitToBytes leaves small text alone and cuts large text under the byte budget', () => {
    expect(fitToBytes('small', 100, '!')).toBe('small');
    const cut = fitToBytes('ü'.repeat(10_000), 1_000, '\n(cut)');
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(1_000);
    expect(cut.endsWith('(cut)')).toBe(true);
  });
});
