// Semantic checks across all files of a run, and the resolved specs (defaults applied).
import type { ExperimentStatus, JsonObject, JsonValue } from '../client/models.js';
import {
  didYouMean,
  describeValue,
  makeDiagnostic,
  nearest,
  quoteList,
  type PathSegment,
} from './diagnostics.js';
import { checkDate, compareDates } from './dates.js';
import {
  TAG_PREFIX,
  type AnalysisSpec,
  type DesignSpec,
  type Diagnostic,
  type ExperimentSpec,
  type ProjectSpec,
  type SourceLocation,
} from './model.js';
import type { Locator, ManifestSource } from './yaml-source.js';

/** One manifest file after parsing (its value may still be schema-invalid: every check is defensive). */
export interface ParsedManifestFile {
  absPath: string;
  display: string;
  dir: string;
  source: ManifestSource;
  value: unknown;
}

/** A file reference to load later; `assign` receives the parsed content. */
export interface PendingFile {
  ref: string;
  baseDir: string;
  at: SourceLocation;
  what: string;
  assign: (value: JsonValue, locator: Locator) => void;
}

/** Where a design's data can be located (manifest or data file), for design-schema errors. */
export interface DesignOrigin {
  experimentType?: string;
  locator: Locator;
  basePath: PathSegment[];
  /** False until the data is known (data_file not yet loaded, or failed to load). */
  ready: boolean;
}

export interface SchemaRef {
  experimentType: string;
  ref: string;
  baseDir: string;
  at: SourceLocation;
}

export interface ResolvedRun {
  stack: string | undefined;
  projects: ProjectSpec[];
  experiments: ExperimentSpec[];
  pending: PendingFile[];
  designOrigins: Map<DesignSpec, DesignOrigin>;
  schemaRefs: SchemaRef[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const where = (l: SourceLocation) => `${l.file}:${l.line}:${l.column}`;

export function resolveManifests(files: readonly ParsedManifestFile[], out: Diagnostic[]): ResolvedRun {
  const run: ResolvedRun = {
    stack: undefined,
    projects: [],
    experiments: [],
    pending: [],
    designOrigins: new Map(),
    schemaRefs: [],
  };
  checkStacks(files, run, out);

  const projectKeys = new Map<string, SourceLocation>();
  for (const f of files) {
    if (!isObj(f.value) || !Array.isArray(f.value.projects)) continue;
    f.value.projects.forEach((p, i) => {
      if (!isObj(p) || typeof p.key !== 'string') return;
      const at = f.source.locate(['projects', i, 'key']);
      const first = projectKeys.get(p.key);
      if (first) {
        out.push(
          makeDiagnostic(at, 'project.duplicate-key', `project key \`${p.key}\` is declared twice`, {
            hint: `first declared at ${where(first)}; keys must be unique across all files of a run`,
          }),
        );
        return;
      }
      projectKeys.set(p.key, at);
      const entryAt = f.source.locate(['projects', i]);
      if (p.name === undefined && p.id === undefined) {
        out.push(
          makeDiagnostic(
            entryAt,
            'project.missing-name-or-id',
            `project \`${p.key}\` has neither \`name\` nor \`id\``,
            {
              hint: 'give `name:` (matched or created by name) or `id:` (an existing project)',
            },
          ),
        );
      }
      const spec: ProjectSpec = { key: p.key, source: entryAt };
      if (typeof p.name === 'string') spec.name = p.name;
      if (typeof p.description === 'string' || p.description === null) spec.description = p.description;
      if (typeof p.id === 'number') spec.id = p.id;
      run.projects.push(spec);
    });
  }

  const experimentKeys = new Map<string, SourceLocation>();
  const codes = new Map<string, SourceLocation>();
  for (const f of files) {
    if (!isObj(f.value)) continue;
    const defaults = isObj(f.value.defaults) ? f.value.defaults : {};
    checkDefaults(f, defaults, projectKeys, out);
    collectSchemaRefs(f, run, out);
    if (!Array.isArray(f.value.experiments)) continue;
    f.value.experiments.forEach((e, i) => {
      if (!isObj(e) || typeof e.key !== 'string') return;
      const base: PathSegment[] = ['experiments', i];
      const keyAt = f.source.locate([...base, 'key']);
      const first = experimentKeys.get(e.key);
      if (first) {
        out.push(
          makeDiagnostic(keyAt, 'experiment.duplicate-key', `experiment key \`${e.key}\` is used twice`, {
            hint: `first used at ${where(first)}; keys must be unique within a stack, across files`,
          }),
        );
        // Keep checking the duplicate entry: its other mistakes belong in this same run.
      } else experimentKeys.set(e.key, keyAt);
      const spec = resolveExperiment(f, e, base, defaults, run, out);
      if (spec.code !== undefined) {
        const codeAt = f.source.locate([...base, 'code']);
        const prev = codes.get(spec.code);
        if (prev) {
          out.push(
            makeDiagnostic(
              codeAt,
              'experiment.duplicate-code',
              `experiment code \`${spec.code}\` is adopted twice`,
              {
                hint: `already adopted at ${where(prev)}; one live experiment can belong to one manifest entry`,
              },
            ),
          );
        } else codes.set(spec.code, codeAt);
      }
      // An unknown defaults.project is reported once, at defaults, not for every experiment.
      if (typeof e.project === 'string' && !projectKeys.has(e.project)) {
        out.push(unknownProject(f.source.locate([...base, 'project']), e.project, projectKeys));
      }
      run.experiments.push(spec);
    });
  }
  return run;
}

function checkStacks(files: readonly ParsedManifestFile[], run: ResolvedRun, out: Diagnostic[]): void {
  let first: { stack: string; file: string } | undefined;
  for (const f of files) {
    const stack = isObj(f.value) ? str(f.value.stack) : undefined;
    if (stack === undefined) continue;
    if (!first) {
      first = { stack, file: f.display };
      run.stack = stack;
    } else if (stack !== first.stack) {
      out.push(
        makeDiagnostic(
          f.source.locate(['stack']),
          'stack.mixed',
          `stack \`${stack}\` differs from the run's stack`,
          {
            expected: `\`${first.stack}\` (from ${first.file})`,
            found: `\`${stack}\``,
            hint: 'one run manages one stack: validate, plan and apply each stack separately',
          },
        ),
      );
    }
  }
}

function unknownProject(at: SourceLocation, key: string, known: Map<string, SourceLocation>): Diagnostic {
  const keys = [...known.keys()];
  return makeDiagnostic(at, 'ref.unknown-project', `project \`${key}\` is not declared under \`projects:\``, {
    expected: keys.length > 0 ? `one of ${quoteList(keys)}` : 'a project declared under `projects:`',
    found: `\`${key}\``,
    hint: didYouMean(key, keys) ?? 'declare it under `projects:` with a `name` or an `id`',
  });
}

function checkDefaults(
  f: ParsedManifestFile,
  defaults: Obj,
  projectKeys: Map<string, SourceLocation>,
  out: Diagnostic[],
): void {
  checkTags(f, defaults.tags, ['defaults', 'tags'], out);
  if (typeof defaults.project === 'string' && !projectKeys.has(defaults.project)) {
    out.push(unknownProject(f.source.locate(['defaults', 'project']), defaults.project, projectKeys));
  }
}

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

function hasNearMissKey(e: Obj, field: string): boolean {
  return Object.keys(e).some((k) => !EXPERIMENT_FIELDS.has(k) && nearest(k, [field]) !== undefined);
}

function checkTags(f: ParsedManifestFile, tags: unknown, at: PathSegment[], out: Diagnostic[]): void {
  if (!isObj(tags)) return;
  for (const name of Object.keys(tags)) {
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

function resolveExperiment(
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
  if (code !== undefined) spec.code = code;
  const name = str(e.name);
  if (name !== undefined) spec.name = name;
  const type = str(e.experiment_type) ?? str(defaults.experiment_type);
  if (type !== undefined) spec.experiment_type = type;
  const project = str(e.project) ?? str(defaults.project);
  if (project !== undefined) spec.project = project;
  const status = str(e.status) ?? str(defaults.status);
  if (status !== undefined) spec.status = status as ExperimentStatus;
  if (typeof e.notes === 'string' || e.notes === null) spec.notes = e.notes;

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
    if (v === null) spec[field] = null;
    else if (typeof v === 'string') {
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

  if (e.design === null) spec.design = null;
  else if (isObj(e.design)) resolveDesign(f, e.design, [...base, 'design'], spec, run, out);

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
      const hasFile = a.result_file !== undefined;
      if (hasResult === hasFile) {
        out.push(
          makeDiagnostic(
            hasFile ? f.source.locate([...at, 'result_file'], 'key') : f.source.locate(at),
            'analysis.result-conflict',
            hasFile
              ? 'give `result` or `result_file`, not both'
              : `analysis \`${a.plugin_id}\` has no \`result\` or \`result_file\``,
            {
              hint: hasFile
                ? 'remove one of the two'
                : 'add `result_file:`, or `result: null` to delete the result',
            },
          ),
        );
      }
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
        });
      }
      analysis.push(item);
    });
  }
  return spec;
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
  const hasFile = d.data_file !== undefined;
  if (hasData === hasFile) {
    out.push(
      makeDiagnostic(
        hasFile ? f.source.locate([...at, 'data_file'], 'key') : f.source.locate(at),
        'design.data-conflict',
        hasFile ? 'give `data` or `data_file`, not both' : '`design` has neither `data` nor `data_file`',
        {
          hint: hasFile
            ? 'remove one of the two'
            : 'add `data_file:` (a JSON or YAML file) or inline `data:`',
        },
      ),
    );
  }
  let version = '1.0';
  if (typeof d.schema_version === 'string') version = d.schema_version;
  else if (typeof d.schema_version === 'number') {
    version = f.source.sourceText([...at, 'schema_version']) ?? String(d.schema_version);
  }
  const design: DesignSpec = {
    plugin_id: d.plugin_id,
    schema_version: version,
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
    });
  }
}

function collectSchemaRefs(f: ParsedManifestFile, run: ResolvedRun, out: Diagnostic[]): void {
  const schemas = isObj(f.value) ? f.value.schemas : undefined;
  if (!isObj(schemas)) return;
  for (const [type, ref] of Object.entries(schemas)) {
    if (typeof ref !== 'string') continue;
    const at = f.source.locate(['schemas', type]);
    const prev = run.schemaRefs.find((s) => s.experimentType === type);
    if (prev) {
      out.push(
        makeDiagnostic(at, 'schemas.duplicate-type', `a design schema for \`${type}\` is already set`, {
          hint: `first set at ${where(prev.at)}; give each experiment_type one schema`,
        }),
      );
      continue;
    }
    run.schemaRefs.push({ experimentType: type, ref, baseDir: f.dir, at });
  }
}
