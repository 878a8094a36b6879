// Markdown for the PR comment and the job summary: a headline a reviewer reads first (counts in
// experiments), deletions before anything else, the plan open when small and collapsed when large,
// and a cut that says where the whole plan is. Each text stays under GitHub's size limit.
import { planLines, type PlanLine } from '../actions/render-lines.js';
import type { ActionResult, ApplyResult, Plan } from '../actions/types.js';
import type { Diagnostic } from '../manifest/model.js';
import { expectedFound } from './annotations.js';
import { COMMENT_LIMIT, truncateMarkdown } from './comment.js';

/** GitHub rejects a step summary over 1 MiB; keep a margin for what other steps append. */
export const SUMMARY_LIMIT_BYTES = 1024 * 1024;
export const SUMMARY_BUDGET_BYTES = SUMMARY_LIMIT_BYTES - 16 * 1024;

/** Plans with at most this many actions are shown open; larger ones start collapsed. */
export const OPEN_PLAN_MAX_ACTIONS = 20;

/** The hidden field apply-on-main reads: only a plan comment carries it (never an apply outcome). */
export function fingerprintMarker(fingerprint: string): string {
  return `<!-- mint-manifest:fingerprint=${fingerprint} -->`;
}

export function shortFingerprint(fingerprint: string): string {
  return fingerprint.slice(0, 12);
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Where the text goes and what it can point to. */
export interface RenderContext {
  label?: string;
  /** This workflow run: its log holds the whole plan. */
  runUrl?: string;
  commitSha?: string;
  /** Size budget in characters (comment) — the summary is fitted in bytes separately. */
  limit?: number;
}

// ---------------------------------------------------------------------------------------------
// Counts

export interface ExperimentCounts {
  create: number;
  change: number;
  delete: number;
  projects: number;
  /** Orphans left alone (no prune). */
  orphaned: number;
  /** Keys several experiments carry, left alone by this plan. */
  duplicated: number;
}

/** The plan in experiments: an experiment whose design or result changes counts once, as changed. */
export function experimentCounts(plan: Plan): ExperimentCounts {
  const created = new Set<string>();
  const deleted = new Set<string>();
  const touched = new Set<string>();
  let projects = 0;
  for (const a of plan.actions) {
    if (a.type === 'project') projects++;
    else if (a.type === 'experiment' && a.op === 'create') created.add(a.target.key);
    else if (a.type === 'experiment' && a.op === 'delete') deleted.add(a.target.code ?? a.target.key);
    else touched.add(a.target.key);
  }
  for (const key of created) touched.delete(key);
  const orphaned = plan.prune ? 0 : plan.orphans.length;
  const duplicated = plan.duplicates?.filter((d) => !d.resolved).length ?? 0;
  return { create: created.size, change: touched.size, delete: deleted.size, projects, orphaned, duplicated };
}

export function countsText(c: ExperimentCounts): string {
  let text = `${plural(c.create, 'experiment')} to create, ${c.change} to change, ${c.delete} to delete`;
  if (c.projects > 0) text += `, ${plural(c.projects, 'project')} to create or change`;
  if (c.orphaned > 0) text += `, ${c.orphaned} orphaned (not deleted)`;
  if (c.duplicated > 0) text += `, ${plural(c.duplicated, 'duplicated key')} left alone`;
  return text;
}

function stackLabel(stack: string, label?: string): string {
  return label ? `stack \`${stack}\` (${label})` : `stack \`${stack}\``;
}

export function planHeadline(plan: Plan, label?: string): string {
  const c = experimentCounts(plan);
  if (!plan.hasChanges) {
    const note = c.orphaned > 0 ? `; ${c.orphaned} orphaned (not deleted)` : '';
    return `MINT plan for ${stackLabel(plan.stack, label)}: no changes${note}`;
  }
  return `MINT plan for ${stackLabel(plan.stack, label)}: ${countsText(c)}`;
}

// ---------------------------------------------------------------------------------------------
// The plan body

/** One block per project or experiment, deletions first; each is a list of diff lines. */
function planBlocks(plan: Plan): { deletions: string[][]; others: string[][] } {
  const blocks: PlanLine[][] = [[]];
  for (const l of planLines(plan)) {
    if (l.depth === 0 && l.text === '' && l.mark === ' ') blocks.push([]);
    else blocks[blocks.length - 1].push(l);
  }
  const deletions: string[][] = [];
  const others: string[][] = [];
  for (const b of blocks) {
    if (b.length === 0) continue;
    const isDelete = b[0].mark === '-' && b[0].depth === 0 && /^experiment /.test(b[0].text);
    const lines = b.map(diffLine);
    if (isDelete) {
      lines.push('-   with its design data and analysis results');
      deletions.push(lines);
    } else others.push(lines);
  }
  return { deletions, others };
}

/** GitHub colours +, - and ! at the start of a line in a ```diff block. */
function diffLine(l: PlanLine): string {
  const mark = l.mark === '~' ? '!' : l.mark;
  return `${mark}${' '.repeat(1 + l.depth)}${l.text}`.trimEnd().replace(/```/g, '`\u200b``');
}

/** Keeps text inert in Markdown: no HTML, no table breaks, one line (code spans in messages stay). */
export function escapeMd(text: string): string {
  return text
    .replace(/[<>|]/g, (ch) => ({ '<': '&lt;', '>': '&gt;', '|': '\\|' })[ch] ?? ch)
    .replace(/\r?\n/g, ' ');
}

/** "Deletes N experiments …" before anything else, so a reviewer cannot miss it. */
function deletionNotice(plan: Plan): string {
  const deletes = plan.actions.filter((a) => a.type === 'experiment' && a.op === 'delete');
  if (deletes.length === 0) return '';
  const names = new Map(plan.orphans.map((o) => [o.code, o.name]));
  const shown = deletes.slice(0, 10).map((a) => {
    const code = a.target.code ?? '';
    const name = names.get(code);
    return `> - \`${code || a.target.key}\`${a.target.key ? ` key \`${a.target.key}\`` : ''}${name ? ` — ${escapeMd(name)}` : ''}`;
  });
  if (deletes.length > shown.length)
    shown.push(`> - … and ${deletes.length - shown.length} more (in the plan below)`);
  return [
    `> 🗑️ **Deletes ${plural(deletes.length, 'experiment')}**, ${deletes.length === 1 ? 'with its' : 'each with its'} design data and analysis results:`,
    '>',
    ...shown,
  ].join('\n');
}

function orphanNotice(plan: Plan): string {
  if (plan.prune || plan.orphans.length === 0) return '';
  const n = plan.orphans.length;
  const list = plan.orphans
    .slice(0, 20)
    .map((o) => `- \`${o.code}\`${o.key ? ` key \`${o.key}\`` : ''} — ${escapeMd(o.name)}`);
  if (n > list.length) list.push(`- … and ${n - list.length} more`);
  return [
    `<details><summary>${plural(n, 'orphaned experiment')} (this stack's tag, no longer in the manifest): not deleted without prune</summary>`,
    '',
    ...list,
    '',
    '</details>',
  ].join('\n');
}

function warningsNotice(plan: Plan): string {
  if (plan.warnings.length === 0) return '';
  const shown = plan.warnings.slice(0, 20).map((w) => `- ⚠️ ${escapeMd(w.message)}`);
  if (plan.warnings.length > shown.length) shown.push(`- … and ${plan.warnings.length - shown.length} more`);
  return ['**Warnings**', '', ...shown].join('\n');
}

/** Where the whole plan can be read when a text shows only part of it. */
export function wholePlanPointer(runUrl?: string): string {
  const log = runUrl ? `the log of [this workflow run](${runUrl})` : 'the log of this workflow run';
  return `The whole plan is in ${log} (the group "Plan: …" of this action's step) and in the JSON plan file of the \`plan-json\` output (upload it as an artifact, as the example workflows do).`;
}

/**
 * The collapsible plan: deletions first, then projects and experiments. Whole blocks are kept
 * while they fit `budget` characters; the rest are counted in a pointer to the whole plan.
 */
export function planDetails(
  plan: Plan,
  budget: number,
  runUrl?: string,
  title = 'Plan',
  collapsed = false,
): string {
  const { deletions, others } = planBlocks(plan);
  const blocks = [...deletions, ...others];
  if (blocks.length === 0) return '';
  const n = plan.actions.length;
  const c = experimentCounts(plan);
  const open = n <= OPEN_PLAN_MAX_ACTIONS && !collapsed ? ' open' : '';
  const head = `<details${open}><summary>${title}: ${plural(n, 'action')} — ${countsText(c)}</summary>\n\n\`\`\`diff`;
  const close = '```\n\n</details>';
  const pointerRoom = 600;
  let room = budget - head.length - close.length - pointerRoom;
  const kept: string[] = [];
  let shown = 0;
  for (const b of blocks) {
    const text = b.join('\n');
    if (text.length + 2 > room) break;
    kept.push(text);
    room -= text.length + 2;
    shown++;
  }
  const parts = [head, kept.join('\n\n'), close];
  if (shown < blocks.length) {
    const left = blocks.length - shown;
    parts.push(
      '',
      `> **The plan is cut here:** ${plural(left, 'more experiment or project', 'more experiments or projects')} not shown. ${wholePlanPointer(runUrl)}`,
    );
  }
  return parts.join('\n');
}

function footer(ctx: RenderContext): string {
  const parts: string[] = [];
  if (ctx.runUrl) parts.push(`[workflow run](${ctx.runUrl})`);
  if (ctx.commitSha) parts.push(`commit \`${ctx.commitSha.slice(0, 7)}\``);
  return parts.length > 0 ? `<sub>Updated by ${parts.join(' for ')}.</sub>` : '';
}

function fingerprintLine(plan: Plan): string {
  return `Fingerprint \`${shortFingerprint(plan.fingerprint)}\` · ${plural(plan.files.length, 'manifest file')}`;
}

function fullFingerprint(fingerprint: string): string {
  return `<details><summary>Full fingerprint</summary>\n\n\`${fingerprint}\`\n\n</details>`;
}

/** Paragraphs separated by a blank line, so no two run together in GitHub's renderer. */
export function paragraphs(parts: (string | undefined)[]): string {
  return `${parts
    .filter((p): p is string => p !== undefined && p.trim() !== '')
    .map((p) => p.trim())
    .join('\n\n')}\n`;
}

/** Fits a text assembled around a plan body into `limit`: the body gets what the rest leaves. */
function withPlanBudget(limit: number, build: (budget: number) => string): string {
  const fixed = build(0).length;
  let text = build(Math.max(0, limit - fixed - 64));
  if (text.length > limit) text = truncateMarkdown(text, limit);
  return text;
}

// ---------------------------------------------------------------------------------------------
// Plan: comment and summary

export function buildPlanComment(plan: Plan, marker: string, ctx: RenderContext = {}): string {
  return withPlanBudget(ctx.limit ?? COMMENT_LIMIT, (budget) =>
    paragraphs([
      `${marker}\n${fingerprintMarker(plan.fingerprint)}`,
      `### ${planHeadline(plan, ctx.label)}`,
      `${fingerprintLine(plan)} — pass it as \`expect-fingerprint\` to apply exactly this plan`,
      deletionNotice(plan),
      budget > 0 ? planDetails(plan, budget, ctx.runUrl) : '',
      orphanNotice(plan),
      warningsNotice(plan),
      fullFingerprint(plan.fingerprint),
      footer(ctx),
    ]),
  );
}

export function buildPlanSummary(plan: Plan, ctx: RenderContext = {}): string {
  const text = withPlanBudget(SUMMARY_BUDGET_BYTES / 2, (budget) =>
    paragraphs([
      `## ${planHeadline(plan, ctx.label)}`,
      fingerprintLine(plan),
      deletionNotice(plan),
      budget > 0 ? planDetails(plan, budget, ctx.runUrl) : '',
      orphanNotice(plan),
      warningsNotice(plan),
      fullFingerprint(plan.fingerprint),
    ]),
  );
  return fitToBytes(text, SUMMARY_BUDGET_BYTES, `\n\n> **Cut here.** ${wholePlanPointer(ctx.runUrl)}\n`);
}

// ---------------------------------------------------------------------------------------------
// Failures of plan

export interface PlanFailure {
  /** What failed, one line: "The manifest is invalid: 3 errors". */
  title: string;
  /** Each problem with its place (`file:line`) when known. */
  problems: string[];
  /** What to do. */
  hint: string;
}

/** A failed plan (or apply) replaces the comment: a stale plan must never stay up. */
export function buildFailureComment(
  command: 'plan' | 'apply',
  stack: string | undefined,
  failure: PlanFailure,
  marker: string,
  ctx: RenderContext = {},
): string {
  const limit = ctx.limit ?? COMMENT_LIMIT;
  const shown = failure.problems.slice(0, 50).map((p) => `- ${p}`);
  if (failure.problems.length > shown.length)
    shown.push(`- … and ${failure.problems.length - shown.length} more: see the job summary`);
  const who = stack ? ` for ${stackLabel(stack, ctx.label)}` : ctx.label ? ` (${ctx.label})` : '';
  const text = paragraphs([
    marker,
    `### ❌ MINT ${command} failed${who}`,
    command === 'plan'
      ? `${failure.title}. Nothing was planned, so there is no plan to review or apply; the previous plan on this pull request no longer holds.`
      : `${failure.title}. Nothing was applied.`,
    shown.join('\n'),
    failure.hint,
    footer(ctx),
  ]);
  return text.length > limit ? truncateMarkdown(text, limit) : text;
}

export function diagnosticLocation(d: Pick<Diagnostic, 'file' | 'line' | 'column'>): string {
  return d.line > 0 ? `${d.file}:${d.line}:${d.column}` : d.file;
}

/** One problem line: `file:line:col` path — message (expected/found) — hint. */
export function diagnosticItem(d: Diagnostic, location = diagnosticLocation(d)): string {
  const at = d.path ? ` ${escapeMd(d.path)}` : '';
  const hint = d.hint ? ` — ${escapeMd(d.hint)}` : '';
  return `\`${location}\`${at}: ${escapeMd(d.message + expectedFound(d))}${hint}`;
}

// ---------------------------------------------------------------------------------------------
// Apply: outcome, comment and summary

const STATUS_LABEL: Record<ActionResult['status'], string> = {
  ok: '✅ ok',
  failed: '❌ failed',
  skipped: '⏭️ skipped',
};

/** Escapes text for one Markdown table cell. */
export function tableCell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function targetLabel(r: ActionResult, created: Map<string, string>): string {
  const t = r.target;
  const owner = t.type === 'project' ? 'project' : 'experiment';
  const code = t.code ?? (t.type !== 'project' ? created.get(t.key) : undefined);
  const parts = [`${owner} \`${t.key}\``];
  if (code) parts.push(`(${code})`);
  if (t.pluginId) parts.push(`· ${t.type} \`${t.pluginId}\``);
  return parts.join(' ');
}

/** Keys several experiments carry, left alone by the apply (set by engines that report them). */
export function duplicatesLeft(result: ApplyResult): number {
  return result.duplicates?.filter((d) => !d.resolved).length ?? 0;
}

/** "Applied …" / "Apply failed: N of M …": the headline of an apply, in the comment and summary. */
export function applyHeadline(result: ApplyResult, plan: Plan, label?: string): string {
  const where = stackLabel(result.stack, label);
  const s = result.summary;
  const total = result.results.length;
  if (!result.success && s.failed === 0 && s.skipped === 0) {
    const n = Math.max(1, duplicatesLeft(result));
    return `⚠️ Applied ${where} (${plural(s.ok, 'action')}), but ${plural(n, 'duplicated key')} left alone: see the plan`;
  }
  if (!result.success) {
    const skipped = s.skipped > 0 ? `, ${s.skipped} skipped` : '';
    return `❌ Apply failed: ${s.failed} of ${plural(total, 'action')} failed for ${where} (${s.ok} applied${skipped})`;
  }
  if (total === 0) return `✅ Applied ${where}: no changes, MINT already matched the manifest`;
  const c = experimentCounts(plan);
  return `✅ Applied ${where}: ${c.create} experiment${c.create === 1 ? '' : 's'} created, ${c.change} changed, ${c.delete} deleted${c.projects > 0 ? `, ${plural(c.projects, 'project')} created or changed` : ''}`;
}

function createdList(result: ApplyResult): string {
  const created = result.created ?? [];
  if (created.length === 0) return '';
  const shown = created.slice(0, 200).map((c) => `\`${c.code}\` (${c.key})`);
  const more =
    created.length > shown.length ? `, … and ${created.length - shown.length} more (in result-json)` : '';
  return `**Created:** ${shown.join(', ')}${more}`;
}

function resultsTable(result: ApplyResult, budget: number): string {
  if (result.results.length === 0) return '';
  const order: Record<ActionResult['status'], number> = { failed: 0, skipped: 1, ok: 2 };
  const rows = [...result.results].sort((a, b) => order[a.status] - order[b.status]);
  const created = new Map((result.created ?? []).map((c) => [c.key, c.code]));
  const open = rows.length <= OPEN_PLAN_MAX_ACTIONS || !result.success ? ' open' : '';
  const s = result.summary;
  const lines = [
    `<details${open}><summary>Results: ${s.ok} ok, ${s.failed} failed, ${s.skipped} skipped</summary>`,
    '',
    '| Status | Action | Target | Details |',
    '| --- | --- | --- | --- |',
  ];
  let room = budget - 400;
  let shown = 0;
  for (const r of rows) {
    let details = r.message ?? '';
    if (r.status === 'failed' && r.mayHaveCommitted)
      details += ' (may have reached MINT; a re-run converges)';
    const line = `| ${STATUS_LABEL[r.status]} | ${r.op} ${r.type} | ${tableCell(targetLabel(r, created))} | ${tableCell(details.trim())} |`;
    if (line.length + 1 > room) break;
    lines.push(line);
    room -= line.length + 1;
    shown++;
  }
  lines.push('', '</details>');
  if (shown < rows.length)
    lines.push(
      '',
      `> ${rows.length - shown} more results not shown: every result is in the JSON file of the \`result-json\` output and in the run log.`,
    );
  return lines.join('\n');
}

function applyNextStep(result: ApplyResult): string {
  if (result.success) return '';
  const committed = result.results.some((r) => r.status === 'failed' && r.mayHaveCommitted);
  return `Nothing else was changed. Fix the cause and run apply again: it plans afresh and does only what is left${committed ? ' (a failed write may still have been stored; the re-run finds it)' : ''}.`;
}

function applyParts(result: ApplyResult, plan: Plan, ctx: RenderContext, budget: number, h: string) {
  return [
    `${h} ${applyHeadline(result, plan, ctx.label)}`,
    `Fingerprint \`${shortFingerprint(result.fingerprint)}\``,
    createdList(result),
    applyNextStep(result),
    resultsTable(result, Math.floor(budget / 2)),
    budget > 0
      ? planDetails(plan, Math.floor(budget / 2), ctx.runUrl, result.success ? 'Applied plan' : 'Plan', true)
      : '',
  ];
}

/** The PR comment after an apply: the same comment as the plan, now telling the outcome. */
export function buildApplyComment(
  result: ApplyResult,
  plan: Plan,
  marker: string,
  ctx: RenderContext = {},
): string {
  return withPlanBudget(ctx.limit ?? COMMENT_LIMIT, (budget) =>
    paragraphs([
      `${marker}\n<!-- mint-manifest:applied fingerprint=${result.fingerprint} -->`,
      ...applyParts(result, plan, ctx, budget, '###'),
      fullFingerprint(result.fingerprint),
      footer(ctx),
    ]),
  );
}

export function buildApplySummary(result: ApplyResult, plan: Plan, ctx: RenderContext = {}): string {
  const text = withPlanBudget(SUMMARY_BUDGET_BYTES / 2, (budget) =>
    paragraphs([...applyParts(result, plan, ctx, budget, '##'), fullFingerprint(result.fingerprint)]),
  );
  return fitToBytes(
    text,
    SUMMARY_BUDGET_BYTES,
    '\n\n> **Cut here:** every result is in the JSON file of the `result-json` output and in the run log.\n',
  );
}

/** A refused apply: why, that nothing changed, what to do, and the plan it refused. */
export function buildRefusalText(
  plan: Plan,
  reason: string,
  nextStep: string,
  ctx: RenderContext & { marker?: string; heading: '##' | '###' },
  limit: number,
): string {
  return withPlanBudget(limit, (budget) =>
    paragraphs([
      ctx.marker
        ? `${ctx.marker}\n<!-- mint-manifest:refused fingerprint=${plan.fingerprint} -->`
        : undefined,
      `${ctx.heading} ⛔ Apply refused for ${stackLabel(plan.stack, ctx.label)}: nothing was changed in MINT`,
      `**Why:** ${escapeMd(reason)}`,
      nextStep,
      `The refused plan: ${countsText(experimentCounts(plan))}, from ${plural(plan.files.length, 'manifest file')}.`,
      deletionNotice(plan),
      budget > 0 ? planDetails(plan, budget, ctx.runUrl, 'Refused plan') : '',
      orphanNotice(plan),
      fullFingerprint(plan.fingerprint),
      ctx.marker ? footer(ctx) : undefined,
    ]),
  );
}

// ---------------------------------------------------------------------------------------------
// Validation

/** Validation problems as a list: every one of them, unlike the 10 annotations GitHub shows. */
export function buildDiagnosticsSummary(
  errors: Diagnostic[],
  warnings: Diagnostic[],
  location: (d: Diagnostic) => string = diagnosticLocation,
): string {
  const title =
    errors.length > 0 ? `## ❌ Manifest invalid: ${plural(errors.length, 'error')}` : '## ✅ Manifest valid';
  const list = (ds: Diagnostic[]) => ds.map((d) => `- ${diagnosticItem(d, location(d))}`).join('\n');
  return fitToBytes(
    paragraphs([
      title,
      errors.length > 0 ? `**Errors**\n\n${list(errors)}` : '',
      warnings.length > 0 ? `**Warnings**\n\n${list(warnings)}` : '',
    ]),
    SUMMARY_BUDGET_BYTES,
    '\n\n> **Cut here:** every problem is in the run log.\n',
  );
}

// ---------------------------------------------------------------------------------------------
// Size guards

/** Cuts Markdown until its UTF-8 size fits `maxBytes` (comment limits count characters, summaries bytes). */
export function fitToBytes(markdown: string, maxBytes: number, note: string): string {
  if (Buffer.byteLength(markdown, 'utf8') <= maxBytes) return markdown;
  const room = maxBytes - Buffer.byteLength(note, 'utf8');
  let chars = Math.min(markdown.length, room);
  let cut = truncateMarkdown(markdown, chars);
  while (Buffer.byteLength(cut, 'utf8') > room && chars > 0) {
    chars = Math.floor(chars * 0.9);
    cut = truncateMarkdown(markdown, chars);
  }
  return cut + note;
}

/** The last guard before the summary file: what one step writes must stay under the limit in total. */
export function fitSummary(markdown: string): string {
  return fitToBytes(
    markdown,
    SUMMARY_BUDGET_BYTES,
    '\n\n> **Cut here** to fit the job summary: the whole plan is in the run log and in the `plan-json` output file.\n',
  );
}
