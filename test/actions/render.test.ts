// Plan and apply renderings, and the versioned plan JSON.
import { describe, expect, it } from 'vitest';
import {
  OperationError,
  parsePlanJson,
  planExitCode,
  planToJson,
  renderApplyMarkdown,
  renderApplyText,
  renderPlanMarkdown,
  renderPlanText,
} from '../../src/actions/index.js';
import type { ApplyResult, Plan, PlanAction } from '../../src/actions/types.js';

function action(id: string, over: Partial<PlanAction> = {}): PlanAction {
  const [kind, rest] = id.split(':');
  const [type, op] = kind.split('.') as [PlanAction['type'], string];
  const key = rest ?? 'k';
  return {
    id,
    type,
    op: op === 'save' ? 'update' : (op as PlanAction['op']),
    target: { type, key, code: `EXP-${key}` },
    changes: [],
    dependsOn: [],
    ...over,
  };
}

function makePlan(actions: PlanAction[], over: Partial<Plan> = {}): Plan {
  const count = (op: string) => actions.filter((a) => a.op === op).length;
  return {
    formatVersion: 1,
    stack: 'demo',
    files: ['mint.yaml'],
    actions,
    orphans: [],
    warnings: [],
    summary: {
      create: count('create'),
      update: count('update'),
      delete: count('delete'),
      orphaned: 0,
      unchanged: 0,
    },
    hasChanges: actions.length > 0,
    fingerprint: 'ab'.repeat(32),
    liveState: { 'experiment:k': 'absent' },
    prune: false,
    ...over,
  };
}

const sample = makePlan([
  action('experiment.create:b1', {
    changes: [
      { field: 'name', after: 'Batch 1' },
      { field: 'tags.mint-manifest.stack', after: 'demo' },
    ],
  }),
  action('experiment.update:b2', {
    changes: [
      { field: 'name', before: 'a', after: 'b' },
      { field: 'status', before: 'planned', after: 'completed' },
    ],
  }),
  action('design.save:b2', {
    target: { type: 'design', key: 'b2', pluginId: 'seq' },
    changes: [
      {
        field: 'data',
        before: { samples: Array.from({ length: 40 }, (_, i) => i), mode: 'pos', old: 1 },
        after: { samples: Array.from({ length: 41 }, (_, i) => i), mode: 'pos', added: true },
      },
    ],
  }),
  action('experiment.delete:gone', { reason: 'orphaned: no longer in the manifest' }),
]);

describe('renderPlanText', () => {
  it('groups by experiment with + ~ - marks, field diffs, payload leaf diffs and the summary line', () => {
    const text = renderPlanText(sample);
    expect(text).toContain('  + experiment b1');
    expect(text).toContain('    + name: "Batch 1"');
    expect(text).not.toContain('mint-manifest.stack'); // ownership tags of a create are noise
    expect(text).toContain('    ~ name: "a" → "b"');
    expect(text).toContain('    ~ status: "planned" → "completed" (via ongoing)');
    expect(text).toContain('    ~ design seq');
    expect(text).toContain('      + data.samples[40]: 40');
    expect(text).toContain('      + data.added: true');
    expect(text).toContain('      - data.old: 1');
    expect(text).toContain('  - experiment gone (EXP-gone) — orphaned: no longer in the manifest');
    expect(text.trimEnd().split('\n').at(-1)).toBe('Plan: 1 to create, 2 to update, 1 to delete.');
    expect(text.includes('\u001b[')).toBe(false);
    expect(renderPlanText(sample, { color: true })).toContain('\u001b[32m');
  });

  it('says "No changes" only when nothing differs: orphans left in place are changes', () => {
    const none = makePlan([]);
    expect(renderPlanText(none)).toContain('No changes. MINT matches the manifest.');
    expect(planExitCode(none)).toBe(0);
    const orphaned = makePlan([], {
      orphans: [{ key: 'old', code: 'EXP-9', experimentId: 9, name: 'Old' }],
      hasChanges: true,
    });
    orphaned.summary.orphaned = 1;
    const text = renderPlanText(orphaned);
    expect(text).not.toContain('No changes');
    expect(text).toContain('Orphans (to delete with --prune):\n  EXP-9  old  "Old"');
    expect(text).toContain(
      'Plan: 0 to create, 0 to update, 0 to delete. 1 orphaned experiment to delete with --prune.',
    );
    expect(planExitCode(orphaned)).toBe(2);
    expect(planExitCode(sample)).toBe(2);
  });
});

describe('renderPlanMarkdown', () => {
  it('puts the summary first, then the fingerprint, and the details in <details>', () => {
    const md = renderPlanMarkdown({ ...sample, warnings: [{ code: 'w', message: 'be <careful>' }] });
    const lines = md.split('\n');
    expect(lines[0]).toBe('**Plan: 1 to create, 2 to update, 1 to delete.**');
    expect(md).toContain(`fingerprint \`${'ab'.repeat(6)}\``);
    expect(md).toContain('- ⚠️ be &lt;careful&gt;');
    expect(md).toMatch(
      /<details><summary>Show the plan \(4 actions\)<\/summary>\n\n```diff\n\+ experiment b1/,
    );
    expect(md).toContain('! experiment b2');
    expect(md).toContain('- experiment gone');
  });

  it('stays within the size budget with a truncation note pointing at the full plan', () => {
    const many = makePlan(
      Array.from({ length: 400 }, (_, i) =>
        action(`experiment.create:exp-${i}`, {
          changes: [{ field: 'name', after: `Experiment number ${i}` }],
        }),
      ),
    );
    const md = renderPlanMarkdown(many, { maxChars: 4000, detailsUrl: 'https://example.org/run/1' });
    expect(md.length).toBeLessThanOrEqual(4000);
    expect(md).toMatch(
      /The plan is truncated here\*\* \(\d+ more lines to fit the 4000-character limit\)\. Read \[the full plan\]\(https:\/\/example\.org\/run\/1\)\./,
    );
    expect(md.split('```').length).toBe(3); // the code fence is closed
    expect(renderPlanMarkdown(many).length).toBeGreaterThan(4000);
  });
});

describe('plan JSON', () => {
  it('round-trips and rejects other versions or broken files with a readable error', () => {
    const back = parsePlanJson(planToJson(sample));
    expect(back).toEqual(sample);
    expect(Object.keys(JSON.parse(planToJson(sample))).slice(0, 3)).toEqual([
      'formatVersion',
      'stack',
      'fingerprint',
    ]);
    expect(() => parsePlanJson('{"formatVersion": 2}')).toThrow(/formatVersion 2, this tool reads 1/);
    expect(() => parsePlanJson('nope')).toThrow(OperationError);
    const broken = JSON.parse(planToJson(sample));
    delete broken.liveState;
    expect(() => parsePlanJson(JSON.stringify(broken))).toThrow(/the top level has no "liveState"/);
  });
});

describe('apply renderings', () => {
  const result: ApplyResult = {
    formatVersion: 1,
    stack: 'demo',
    fingerprint: 'f',
    results: [
      {
        actionId: 'experiment.create:b1',
        type: 'experiment',
        op: 'create',
        target: { type: 'experiment', key: 'b1' },
        status: 'ok',
        durationMs: 3,
      },
      {
        actionId: 'design.save:b1',
        type: 'design',
        op: 'create',
        target: { type: 'design', key: 'b1' },
        status: 'failed',
        message: 'PUT /api/x → 500 | boom',
        mayHaveCommitted: true,
        durationMs: 3,
      },
      {
        actionId: 'experiment.status:b1',
        type: 'experiment',
        op: 'update',
        target: { type: 'experiment', key: 'b1' },
        status: 'skipped',
        message: 'not started: dependency design.save:b1 failed',
        durationMs: 0,
      },
    ],
    summary: { ok: 1, failed: 1, skipped: 1 },
    success: false,
  };

  it('states what was and was not changed', () => {
    const text = renderApplyText(result);
    expect(text).toContain('Apply for stack demo: 1 ok, 1 failed, 1 skipped.');
    expect(text).toContain('✗ design.save:b1 — PUT /api/x → 500 | boom');
    expect(text).toContain('Changed in MINT: 1 action (1 created, 0 updated, 0 deleted).');
    expect(text).toContain(
      'Not changed: 1 failed, 1 skipped (a failed write may still have been stored). Run apply again',
    );
    const md = renderApplyMarkdown(result);
    expect(md).toContain('| ✗ failed | `design.save:b1` | PUT /api/x → 500 \\| boom |');
    expect(
      renderApplyText({ ...result, results: [], summary: { ok: 0, failed: 0, skipped: 0 }, success: true }),
    ).toContain('no changes. MINT matches the manifest.');
  });
});

describe('design and result payload updates', () => {
  it('lists each changed leaf with its old and new value, key order ignored', () => {
    const plan = makePlan([
      action('design.save:b1', {
        target: { type: 'design', key: 'b1', pluginId: 'lcms-sequence' },
        changes: [
          {
            field: 'data',
            before: { instrument: 'QExactive-HF', samples: [{ id: 'S1', volume: 1.5 }], old: true },
            after: {
              samples: [{ volume: 2.5, id: 'S1' }],
              instrument: 'Exploris-480',
              'run date': '2026-05-01',
            },
          },
        ],
      }),
    ]);
    const text = renderPlanText(plan, { color: false });
    expect(text).toContain('~ data.instrument: "QExactive-HF" → "Exploris-480"');
    expect(text).toContain('~ data.samples[0].volume: 1.5 → 2.5');
    expect(text).toContain('+ data["run date"]: "2026-05-01"');
    expect(text).toContain('- data.old: true');
    expect(text).not.toContain('data.samples[0].id');
  });

  it('caps a large payload diff with a count of what is not shown', () => {
    const before = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${i}`, i]));
    const after = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${i}`, i + 1]));
    const plan = makePlan([
      action('analysis.save:b1', {
        target: { type: 'analysis', key: 'b1', pluginId: 'qc' },
        changes: [{ field: 'result', before, after }],
      }),
    ]);
    const text = renderPlanText(plan, { color: false });
    expect(text.match(/~ result\.k\d+: \d+ → \d+/g)).toHaveLength(12);
    expect(text).toContain('… 18 more changes in result');
  });
});
