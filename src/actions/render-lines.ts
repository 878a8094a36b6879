// The plan as a list of marked lines, grouped by experiment; text and Markdown render from this.
import diff from 'microdiff';
import type { ExperimentStatus, JsonValue } from '../client/models.js';
import { escapeControlChars } from '../redact.js';
import { canonicalJson } from './canonical.js';
import { statusPath } from './status.js';
import type { ActionOp, FieldChange, Plan, PlanAction, PlanDuplicate } from './types.js';

export type Mark = '+' | '~' | '-' | ' ';

export interface PlanLine {
  mark: Mark;
  depth: number;
  text: string;
}

const MARK: Record<ActionOp, Mark> = { create: '+', update: '~', delete: '-' };
const MAX_VALUE = 80;
const BLOB_FIELDS = new Set(['data', 'result']);
/** How many leaf changes of a design/result payload are listed before "… N more". */
const MAX_BLOB_LINES = 12;

export function formatValue(v: JsonValue | undefined): string {
  if (v === undefined || v === null) return '(none)';
  const text = typeof v === 'string' ? JSON.stringify(v) : canonicalJson(v);
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text;
}

function isObj(v: JsonValue | undefined): v is { [k: string]: JsonValue } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function shape(v: JsonValue | undefined): string {
  if (isObj(v)) return `object with ${Object.keys(v).length} keys`;
  if (Array.isArray(v)) return `array of ${v.length}`;
  return formatValue(v);
}

function listNames(names: string[], max = 8): string {
  return names.length > max
    ? `${names.slice(0, max).join(', ')}, … (${names.length - max} more)`
    : names.join(', ');
}

/** A design/result blob change in one short line: the top-level keys that change, not the whole blob. */
export function summarizeBlob(c: FieldChange): string {
  const { before, after } = c;
  const small = (v: JsonValue | undefined) => v === undefined || canonicalJson(v).length <= 40;
  if (small(before) && small(after)) {
    if (before === undefined) return formatValue(after);
    if (after === undefined) return `${formatValue(before)} → (deleted)`;
    return `${formatValue(before)} → ${formatValue(after)}`;
  }
  if (before === undefined) return shape(after);
  if (after === undefined) return `${shape(before)} (deleted)`;
  if (isObj(before) && isObj(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    const added = keys.filter((k) => !(k in before));
    const removed = keys.filter((k) => !(k in after));
    const changed = keys.filter(
      (k) => k in before && k in after && canonicalJson(before[k]) !== canonicalJson(after[k]),
    );
    const parts = [];
    if (changed.length) parts.push(`changed ${listNames(changed)}`);
    if (added.length) parts.push(`added ${listNames(added)}`);
    if (removed.length) parts.push(`removed ${listNames(removed)}`);
    return parts.join('; ') || 'changed';
  }
  return `${shape(before)} → ${shape(after)}`;
}

function pathText(field: string, path: (string | number)[]): string {
  let out = field;
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += /^[A-Za-z_][A-Za-z0-9_-]*$/.test(p) ? `.${p}` : `[${JSON.stringify(p)}]`;
  }
  return out;
}

/** A payload update as one line per changed leaf (old → new), so a reviewer sees the values. */
function blobDiffLines(c: FieldChange, depth: number): PlanLine[] | undefined {
  const { before, after } = c;
  if (typeof before !== 'object' || before === null || typeof after !== 'object' || after === null) return;
  const changes = diff(before, after);
  const lines: PlanLine[] = changes.slice(0, MAX_BLOB_LINES).map((d) => {
    const at = pathText(c.field, d.path);
    if (d.type === 'CREATE') return { mark: '+', depth, text: `${at}: ${formatValue(d.value as JsonValue)}` };
    if (d.type === 'REMOVE')
      return { mark: '-', depth, text: `${at}: ${formatValue(d.oldValue as JsonValue)}` };
    const old = formatValue(d.oldValue as JsonValue);
    return { mark: '~', depth, text: `${at}: ${old} → ${formatValue(d.value as JsonValue)}` };
  });
  if (changes.length > MAX_BLOB_LINES)
    lines.push({ mark: ' ', depth, text: `… ${changes.length - MAX_BLOB_LINES} more changes in ${c.field}` });
  return lines;
}

function changeLine(a: PlanAction, c: FieldChange): string {
  if (BLOB_FIELDS.has(c.field)) return `${c.field}: ${summarizeBlob(c)}`;
  if (a.op === 'create') return `${c.field}: ${formatValue(c.after)}`;
  if (a.op === 'delete') return `${c.field}: ${formatValue(c.before)}`;
  let line = `${c.field}: ${formatValue(c.before)} → ${formatValue(c.after)}`;
  if (c.field === 'status' && typeof c.before === 'string' && typeof c.after === 'string') {
    const path = statusPath(c.before as ExperimentStatus, c.after as ExperimentStatus);
    if (path && path.length > 1) line += ` (via ${path.slice(0, -1).join(', ')})`;
  }
  return line;
}

function header(a: PlanAction): string {
  const t = a.target;
  const code = t.code ? ` (${t.code})` : '';
  switch (a.type) {
    case 'project':
      return `project ${t.key}`;
    case 'experiment': {
      if (a.id.startsWith('experiment.status:'))
        return 'status (once its design data and results are written)';
      const what = a.adopt ? 'adopt experiment' : 'experiment';
      return `${what} ${t.key}${code}${a.reason && a.op === 'delete' ? ` — ${a.reason}` : ''}`;
    }
    case 'design':
      return `design${t.pluginId ? ` ${t.pluginId}` : ''}`;
    case 'analysis':
      return `analysis ${t.pluginId ?? ''}`.trimEnd();
  }
}

function actionLines(a: PlanAction, depth: number): PlanLine[] {
  const mark = MARK[a.op];
  const out: PlanLine[] = [{ mark, depth, text: header(a) }];
  // A delete of a whole experiment needs no field list; a create of the ownership tags is noise.
  if (a.type === 'experiment' && a.op === 'delete') return out;
  for (const c of a.changes) {
    if (a.op === 'create' && c.field.startsWith('tags.mint-manifest.')) continue;
    if (a.type === 'design' && a.op !== 'update' && c.field === 'plugin_id') continue; // in the header
    const leaves = a.op === 'update' && BLOB_FIELDS.has(c.field) ? blobDiffLines(c, depth + 2) : undefined;
    if (leaves?.length) out.push(...leaves);
    else out.push({ mark, depth: depth + 2, text: changeLine(a, c) });
  }
  return out;
}

/** Projects first, then one block per experiment (its update and its design/analysis), then deletes. */
export function planLines(plan: Plan): PlanLine[] {
  const lines: PlanLine[] = [];
  const blank = () => {
    if (lines.length > 0) lines.push({ mark: ' ', depth: 0, text: '' });
  };
  for (const a of plan.actions.filter((x) => x.type === 'project')) {
    blank();
    lines.push(...actionLines(a, 0));
  }
  const groups = new Map<string, PlanAction[]>();
  for (const a of plan.actions) {
    if (a.type === 'project' || (a.type === 'experiment' && a.op === 'delete')) continue;
    groups.set(a.target.key, [...(groups.get(a.target.key) ?? []), a]);
  }
  for (const [key, actions] of groups) {
    blank();
    const main = actions.find((a) => a.type === 'experiment' && !a.id.startsWith('experiment.status:'));
    if (main) lines.push(...actionLines(main, 0));
    else {
      const code = actions[0].target.code ? ` (${actions[0].target.code})` : '';
      lines.push({ mark: ' ', depth: 0, text: `experiment ${key}${code}` });
    }
    for (const a of actions) if (a !== main) lines.push(...actionLines(a, 2));
  }
  for (const a of plan.actions.filter((x) => x.type === 'experiment' && x.op === 'delete')) {
    blank();
    lines.push(...actionLines(a, 0));
  }
  // tag names and data keys are the manifest's (or MINT's): shown escaped, never driving the terminal
  return lines.map((l) => ({ ...l, text: escapeControlChars(l.text) }));
}

export function summaryLine(plan: Plan): string {
  const s = plan.summary;
  if (!plan.hasChanges) return 'No changes. MINT matches the manifest.';
  const dupes = s.duplicates ?? 0;
  const left = dupes > 0 ? ` ${dupes} duplicated key${dupes === 1 ? '' : 's'} left alone.` : '';
  return `Plan: ${s.create} to create, ${s.update} to update, ${s.delete} to delete.${left}`;
}

/** Orphans left in place are drift: they are changes that only `--prune` makes. */
export function orphanNote(plan: Plan): string | undefined {
  if (plan.prune || plan.orphans.length === 0) return undefined;
  const n = plan.orphans.length;
  return `${n} orphaned experiment${n === 1 ? '' : 's'} to delete with --prune.`;
}

/** One line per experiment tagged for this stack that lacks a key. */
export function unkeyedLines(plan: Plan): string[] {
  return (plan.unkeyed ?? []).map(
    (u) => `${u.code}  ${JSON.stringify(u.name)}: tagged for this stack without a key: not managed`,
  );
}

/** One line per copy of each duplicated key: which is kept, what the others hold. */
export function duplicateLines(plan: Plan): string[] {
  const out: string[] = [];
  for (const d of plan.duplicates ?? []) {
    const where = d.source ? `${d.source.file}:${d.source.line}: ` : '';
    const fate = d.resolved ? 'the empty copies are deleted by this plan' : (d.blocker ?? 'left alone');
    out.push(`${where}key ${d.key}: ${d.copies.length} experiments (${fate})`);
    d.copies.forEach((c, i) => {
      const holds =
        c.holds === undefined ? '' : c.holds.length ? ` holds ${c.holds.join(', ')}` : ' holds nothing';
      out.push(`  ${c.code}  ${JSON.stringify(c.name)}${i === 0 ? ' (oldest: kept)' : holds}`);
    });
  }
  return out;
}

/** How to fix a duplicated key, in one line. */
export function duplicateFix(d: PlanDuplicate): string {
  const [kept, ...extras] = d.copies;
  const where = d.source ? `${d.source.file}:${d.source.line}: ` : '';
  const codes = extras.map((c) => c.code).join(', ');
  const dedupe = d.blocker
    ? ` (apply --dedupe deletes only copies that hold nothing: ${d.blocker})`
    : ', or run apply --dedupe to delete the empty copies';
  return `${where}key ${d.key} is carried by ${d.copies.length} experiments (${kept.code} is the oldest): remove the mint-manifest.key tag from the unwanted ${codes} in MINT${dedupe}`;
}
