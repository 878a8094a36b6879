// One experiment entry: defaults applied, fields checked, design and analysis resolved.
import type { ExperimentStatus, JsonObject, JsonValue } from '../client/models.js';
import { checkDate, compareDates } from '../dates.js';
import { describeValue, makeDiagnostic, nearest, type PathSegment } from './diagnostics.js';
import {
  TAG_PREFIX,
  type AnalysisSpec,
  type DesignSpec,
  type Diagnostic,
  type ExperimentSpec,
  type SourceLocation,
} from './model.js';
import type { DesignOrigin, ParsedManifestFile, ResolvedRun } from './resolve.js';
import { MAX_DATA_DEPTH } from './yaml-guard.js';

export type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
export const where = (l: SourceLocation) => `${l.file}:${l.line}:${l.column}`;

const EXPERIMENT_FIELDS = new Set([
  'key',
  'code',
  'name',
  'experiment_type',
  'project',
  'status',
  'notes',
  'tags',
  'start_date',
  'end_date',
  'design',
  'analysis',
]);

const NOTES_FIX = 'write `notes: null` to clear the notes';
const DESIGN_FIX = 'write `design: null` to delete the design data';

function hasNearMissKey(e: Obj, field: string): boolean {
  return Object.keys(e).some((k) => !EXPERIMENT_FIELDS.has(k) && nearest(k, [field]) !== undefined);
}

/**
 * An empty value (`design:` with nothing after it, e.g. its body commented out) reads as null, but
 * only `null` or `~` written out deletes. Told apart by the scalar's source text, which is empty
 * only for an empty value. True (and reported) when `value` is such an empty value.
 */
export function isEmptyValue(
  f: ParsedManifestFile,
  value: unknown,
  at: PathSegment[],
  fix: string,
  out: Diagnostic[],
): boolean {
  if (value !== null || f.source.sourceText(at) !== '') return false;
  out.push(
    makeDiagnostic(f.source.locate(at, 'key'), 'value.empty', `\`${String(at[at.length - 1])}\` is empty`, {
      hint: `an empty value deletes nothing: ${fix}`,
    }),
  );
  return true;
}

/** Collections nested in `value`, itself included; iterative, stops counting past `limit`. */
function depthOver(value: unknown, limit: number): PathSegment[] | undefined {
  const todo: { v: unknown; path: PathSegment[] }[] = [{ v: value, path: [] }];
  while (todo.length > 0) {
    const { v, path } = todo.pop() as { v: unknown; path: PathSegment[] };
    if (v === null || typeof v !== 'object') continue;
    if (path.length >= limit) return path;
    const entries: [PathSegment, unknown][] = Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v);
    for (const [k, x] of entries)
      if (x !== null && typeof x === 'object') todo.push({ v: x, path: [...path, k] });
  }
  return undefined;
}

/** Inline data obeys the same depth limit as data files (the manifest's own limit leaves room for its frame). */
function checkInlineDepth(f: ParsedManifestFile, value: unknown, at: PathSegment[], out: Diagnostic[]): void {
  if (value === null || typeof value !== 'object') return;
  const deep = depthOver(value, MAX_DATA_DEPTH);
  if (deep === undefined) return;
  out.push(
    makeDiagnostic(
      f.source.locate([...at, ...deep]),
      'value.too-deep',
      `nested more than ${MAX_DATA_DEPTH} levels deep`,
      {
        hint: 'flatten the data; deeper nesting is refused to keep every tool that reads it safe',
      },
    ),
  );
}

export function checkTags(f: ParsedManifestFile, tags: unknown, at: PathSegment[], out: Diagnostic[]): void {
  if (!isObj(tags)) return;
  for (const name of Object.keys(tags)) {
    isEmptyValue(f, tags[name], [...at, name], `write \`${name}: null\` to remove the tag`, out);
    if (name.startsWith(TAG_PREFIX)) {
      out.push(
        makeDiagnostic(
          f.source.locate([...at, name], 'key'),
          'tag.reserved',
          `tag \`${name}\` uses the reserved \`${TAG_PREFIX}\` prefix`,
          {
            hint: 'the ownership tags are set by the tool; rename this tag',
          },
        ),
      );
    }
  }
}

export function resolveExperiment(
  f: ParsedManifestFile,
  e: Obj,
  base: PathSegment[],
  defaults: Obj,
  run: ResolvedRun,
  out: Diagnostic[],
): ExperimentSpec {
  const loc = f.source.locate(base);
  const spec: ExperimentSpec = { key: e.key as string, source: loc };
  const code = str(e.code);
  // Defaults fill only experiments the tool creates: an adopted one is managed on what it says.
  if (code !== undefined) defaults = {};
  if (code !== undefined) spec.code = code;
  const name = str(e.name);
  if (name !== undefined) spec.name = name;
  const type = str(e.experiment_type) ?? str(defaults.experiment_type);
  if (type !== undefined) spec.experiment_type = type;
  const project = str(e.project) ?? str(defaults.project);
  if (project !== undefined) spec.project = project;
  const status = str(e.status) ?? str(defaults.status);
  if (status !== undefined) {
    spec.status = status as ExperimentStatus;
    spec.statusSource = f.source.locate(
      str(e.status) !== undefined ? [...base, 'status'] : ['defaults', 'status'],
    );
  }
  if (typeof e.notes === 'string') spec.notes = e.notes;
  else if (e.notes === null && !isEmptyValue(f, null, [...base, 'notes'], NOTES_FIX, out)) spec.notes = null;

  if (code === undefined) {
    // A misspelt `nmae:` is already reported as an unknown property with a suggestion; not twice.
    if (name === undefined && e.name === undefined && !hasNearMissKey(e, 'name')) {
      out.push(
        makeDiagnostic(loc, 'experiment.missing-name', `experiment \`${spec.key}\` has no \`name\``, {
          hint: 'add `name:`, or `code:` to adopt an existing experiment',
        }),
      );
    }
    if (
      type === undefined &&
      e.experiment_type === undefined &&
      defaults.experiment_type === undefined &&
      !hasNearMissKey(e, 'experiment_type')
    ) {
      out.push(
        makeDiagnostic(
          loc,
          'experiment.missing-type',
          `experiment \`${spec.key}\` has no \`experiment_type\``,
          {
            hint: 'add `experiment_type:` here or `defaults.experiment_type`, or `code:` to adopt an existing experiment',
          },
        ),
      );
    }
  }

  checkTags(f, e.tags, [...base, 'tags'], out);
  if (isObj(defaults.tags) || isObj(e.tags)) {
    spec.tags = {
      ...(isObj(defaults.tags) ? defaults.tags : {}),
      ...(isObj(e.tags) ? e.tags : {}),
    } as JsonObject;
  }

  for (const field of ['start_date', 'end_date'] as const) {
    const v = e[field];
    if (v === null) {
      if (!isEmptyValue(f, v, [...base, field], `write \`${field}: null\` to clear the date`, out))
        spec[field] = null;
    } else if (typeof v === 'string') {
      const problem = checkDate(v);
      if (problem) {
        out.push(
          makeDiagnostic(
            f.source.locate([...base, field]),
            'value.date',
            `\`${field}\` is not a valid date`,
            {
              expected: 'a date YYYY-MM-DD or an ISO 8601 date-time',
              found: describeValue(v),
              hint: problem,
            },
          ),
        );
      } else spec[field] = v;
    }
  }
  if (typeof spec.start_date === 'string' && typeof spec.end_date === 'string') {
    if (compareDates(spec.end_date, spec.start_date) < 0) {
      out.push(
        makeDiagnostic(
          f.source.locate([...base, 'end_date']),
          'value.date-order',
          '`end_date` is before `start_date`',
          {
            severity: 'warning',
            found: `${spec.end_date} < ${spec.start_date}`,
            hint: 'check the two dates',
          },
        ),
      );
    }
  }

  if (e.design === null) {
    if (!isEmptyValue(f, null, [...base, 'design'], DESIGN_FIX, out)) spec.design = null;
  } else if (isObj(e.design)) resolveDesign(f, e.design, [...base, 'design'], spec, run, out);

  if (Array.isArray(e.analysis)) {
    const seen = new Map<string, SourceLocation>();
    const analysis: AnalysisSpec[] = [];
    spec.analysis = analysis;
    e.analysis.forEach((a, j) => {
      if (!isObj(a) || typeof a.plugin_id !== 'string') return;
      const at = [...base, 'analysis', j];
      const pidAt = f.source.locate([...at, 'plugin_id']);
      const prev = seen.get(a.plugin_id);
      if (prev) {
        out.push(
          makeDiagnostic(
            pidAt,
            'analysis.duplicate-plugin',
            `analysis for plugin \`${a.plugin_id}\` is listed twice`,
            {
              hint: `first listed at ${where(prev)}; an experiment has one result per plugin`,
            },
          ),
        );
        return;
      }
      seen.set(a.plugin_id, pidAt);
      const hasResult = 'result' in a;
      if (hasResult)
        isEmptyValue(f, a.result, [...at, 'result'], 'write `result: null` to delete the result', out);
      const hasFile = a.result_file !== undefined;
      checkInlineOrFile(f, at, hasResult, hasFile, out, {
        code: 'analysis.result-conflict',
        both: 'give `result` or `result_file`, not both',
        neither: `analysis \`${a.plugin_id}\` has no \`result\` or \`result_file\``,
        fileKey: 'result_file',
        addHint: 'add `result_file:`, or `result: null` to delete the result',
      });
      const item: AnalysisSpec = {
        plugin_id: a.plugin_id,
        result: hasResult ? ((a.result ?? null) as JsonValue | null) : null,
        source: f.source.locate(at),
      };
      if (typeof a.result_file === 'string') {
        item.result_file = a.result_file;
        run.pending.push({
          ref: a.result_file,
          baseDir: f.dir,
          at: f.source.locate([...at, 'result_file']),
          what: 'result_file',
          assign: (value) => {
            item.result = value;
          },
          ifNull: {
            at: f.source.locate([...at, 'result_file'], 'key'),
            hint: 'a file never deletes; to delete the result, write `result: null`',
          },
        });
      }
      analysis.push(item);
    });
    // a list grown by push keeps 17 slots; most experiments list one or two analyses
    spec.analysis = analysis.slice();
  }
  return spec;
}

/** A payload is given inline or as a file: exactly one of the two. */
function checkInlineOrFile(
  f: ParsedManifestFile,
  at: PathSegment[],
  hasInline: boolean,
  hasFile: boolean,
  out: Diagnostic[],
  words: { code: string; both: string; neither: string; fileKey: string; addHint: string },
): void {
  if (hasInline !== hasFile) return;
  out.push(
    makeDiagnostic(
      hasFile ? f.source.locate([...at, words.fileKey], 'key') : f.source.locate(at),
      words.code,
      hasFile ? words.both : words.neither,
      { hint: hasFile ? 'remove one of the two' : words.addHint },
    ),
  );
}

function resolveDesign(
  f: ParsedManifestFile,
  d: Obj,
  at: PathSegment[],
  spec: ExperimentSpec,
  run: ResolvedRun,
  out: Diagnostic[],
): void {
  if (typeof d.plugin_id !== 'string') return;
  const hasData = 'data' in d;
  if (hasData) {
    checkInlineDepth(f, d.data, [...at, 'data'], out);
    isEmptyValue(
      f,
      d.data,
      [...at, 'data'],
      `write \`data: null\` for null design data, or ${DESIGN_FIX}`,
      out,
    );
  }
  const hasFile = d.data_file !== undefined;
  checkInlineOrFile(f, at, hasData, hasFile, out, {
    code: 'design.data-conflict',
    both: 'give `data` or `data_file`, not both',
    neither: '`design` has neither `data` nor `data_file`',
    fileKey: 'data_file',
    addHint: 'add `data_file:` (a JSON or YAML file) or inline `data:`',
  });
  // Left out: not managed. A number is a schema error (quote it); a string is taken as written.
  const version = typeof d.schema_version === 'string' ? d.schema_version : undefined;
  const design: DesignSpec = {
    plugin_id: d.plugin_id,
    ...(version !== undefined ? { schema_version: version } : {}),
    data: hasData ? ((d.data ?? null) as JsonValue) : null,
    source: f.source.locate(at),
  };
  spec.design = design;
  const origin: DesignOrigin = { locator: f.source, basePath: [...at, 'data'], ready: hasData && !hasFile };
  if (spec.experiment_type !== undefined) origin.experimentType = spec.experiment_type;
  run.designOrigins.set(design, origin);
  if (typeof d.data_file === 'string') {
    design.data_file = d.data_file;
    run.pending.push({
      ref: d.data_file,
      baseDir: f.dir,
      at: f.source.locate([...at, 'data_file']),
      what: 'data_file',
      assign: (value, locator) => {
        design.data = value;
        origin.locator = locator;
        origin.basePath = [];
        origin.ready = !hasData;
      },
      ifNull: {
        at: f.source.locate([...at, 'data_file'], 'key'),
        hint: 'a file never deletes; to delete the design data, write `design: null`',
      },
    });
  }
}
