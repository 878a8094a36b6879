// Semantic checks across all files of a run, and the resolved specs (defaults applied).
import type { JsonValue } from '../client/models.js';
import { didYouMean, makeDiagnostic, quoteList, type PathSegment } from './diagnostics.js';
import type { DesignSpec, Diagnostic, ExperimentSpec, ProjectSpec, SourceLocation } from './model.js';
import {
  checkTags,
  isEmptyValue,
  isObj,
  resolveExperiment,
  str,
  where,
  type Obj,
} from './resolve-experiment.js';
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
  /** A file whose content is null is an error here (at the `*_file` key), with this hint. */
  ifNull?: { at: SourceLocation; hint: string };
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
  const projectNames = new Map<string, { key: string; at: SourceLocation }>();
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
      if (typeof p.name === 'string') {
        const nameAt = f.source.locate(['projects', i, 'name']);
        const prev = projectNames.get(p.name);
        if (prev) {
          out.push(
            makeDiagnostic(nameAt, 'project.duplicate-name', `project name \`${p.name}\` is declared twice`, {
              hint: `key \`${prev.key}\` at ${where(prev.at)} has it already; MINT projects are found by name, so use that one key`,
            }),
          );
        } else projectNames.set(p.name, { key: p.key, at: nameAt });
      }
      const spec: ProjectSpec = { key: p.key, source: entryAt };
      if (typeof p.name === 'string') spec.name = p.name;
      if (typeof p.description === 'string') spec.description = p.description;
      else if (p.description === null) {
        const fix = 'write `description: null` to clear the description';
        if (!isEmptyValue(f, null, ['projects', i, 'description'], fix, out)) spec.description = null;
      }
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
