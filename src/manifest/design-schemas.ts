// Optional `schemas:` — per experiment_type JSON Schemas that design data must satisfy.
import type { ValidateFunction } from 'ajv';
import { makeDiagnostic } from './diagnostics.js';
import { mapLimit } from '../concurrency.js';
import { loadReferencedFile, type FileContext } from './files.js';
import type { Diagnostic } from './model.js';
import type { ResolvedRun } from './resolve.js';
import { schemaErrorsToDiagnostics } from './schema-errors.js';
import { compileDesignSchema, unsupportedPattern } from './schema.js';
import type { PathSegment } from './diagnostics.js';
import type { Locator } from './yaml-source.js';

export async function validateDesigns(run: ResolvedRun, ctx: FileContext, out: Diagnostic[]): Promise<void> {
  if (run.schemaRefs.length === 0) return;
  const validators = new Map<string, ValidateFunction>();
  const outcomes = await mapLimit(run.schemaRefs, 8, (s) =>
    loadReferencedFile(s.ref, s.baseDir, s.at, ctx, 'design schema'),
  );
  run.schemaRefs.forEach((s, i) => {
    const outcome = outcomes[i];
    if (!outcome.ok) {
      out.push(...outcome.diagnostics);
      return;
    }
    if (outcome.file.value === null) {
      out.push(
        makeDiagnostic(s.at, 'schemas.empty', `design schema \`${s.ref}\` is empty`, {
          hint: 'put a JSON Schema in it',
        }),
      );
      return;
    }
    const unsupported = unsupportedPatterns(outcome.file.value, outcome.file.locator);
    if (unsupported.length > 0) {
      out.push(...unsupported);
      return;
    }
    try {
      validators.set(s.experimentType, compileDesignSchema(outcome.file.value));
    } catch (err) {
      const reason = (err instanceof Error ? err.message : String(err)).split('\n')[0];
      out.push(
        makeDiagnostic(
          s.at,
          'schemas.invalid',
          `design schema \`${s.ref}\` is not a usable JSON Schema: ${reason}`,
          {
            hint: 'fix the schema file (draft 2020-12, 2019-09 or draft-07)',
          },
        ),
      );
    }
  });
  if (validators.size === 0) return;

  for (const [design, origin] of run.designOrigins) {
    const validate = origin.experimentType !== undefined ? validators.get(origin.experimentType) : undefined;
    if (!validate || !origin.ready || validate(design.data)) continue;
    const found = schemaErrorsToDiagnostics(validate.errors ?? [], {
      root: design.data,
      locator: origin.locator,
      basePath: origin.basePath,
      codePrefix: 'design-schema',
      rootName: 'the design data',
    });
    const rule = `design schema for \`${origin.experimentType}\``;
    for (const d of found) {
      d.hint = d.hint ? `${d.hint} (${rule})` : `required by the ${rule}`;
      out.push(d);
    }
  }
}

/**
 * Design-schema patterns are matched with RE2, in linear time, so that no pattern in a pull request
 * can stall a run (schema.ts). RE2 refuses lookarounds and backreferences: each such pattern is
 * named where it is written in the schema file, before anything is compiled.
 */
function unsupportedPatterns(schema: unknown, locator: Locator): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const p of schemaPatterns(schema, [])) {
    const reason = unsupportedPattern(p.pattern);
    if (reason === undefined) continue;
    out.push(
      makeDiagnostic(
        locator.locate(p.path, p.isKey ? 'key' : 'value'),
        'schemas.pattern-unsupported',
        `pattern \`${p.pattern}\` cannot be used: ${reason.replace(/^Invalid regular expression: /, '')}`,
        {
          hint:
            'design-schema patterns are matched with RE2, in time linear in the input, so no pattern can ' +
            'stall a run; it has no lookarounds ((?=, (?!, (?<=, (?<!) and no backreferences (\\1): ' +
            'rewrite the pattern without them',
        },
      ),
    );
  }
  return out;
}

/** Members whose values are data, not schemas. */
const DATA_KEYWORDS = new Set(['enum', 'const', 'examples', 'default']);
/** Members whose values map names to schemas. */
const SCHEMA_MAPS = new Set([
  'properties',
  'patternProperties',
  '$defs',
  'definitions',
  'dependentSchemas',
  'dependencies',
]);

/** Every regular expression of a JSON Schema: `pattern` values and `patternProperties` names. */
function* schemaPatterns(
  node: unknown,
  path: PathSegment[],
): Generator<{ path: PathSegment[]; pattern: string; isKey: boolean }> {
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) yield* schemaPatterns(node[i], [...path, i]);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node)) {
    if (DATA_KEYWORDS.has(key)) continue;
    if (key === 'pattern' && typeof value === 'string') {
      yield { path: [...path, key], pattern: value, isKey: false };
    } else if (SCHEMA_MAPS.has(key) && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [name, sub] of Object.entries(value)) {
        if (key === 'patternProperties') yield { path: [...path, key, name], pattern: name, isKey: true };
        yield* schemaPatterns(sub, [...path, key, name]);
      }
    } else {
      yield* schemaPatterns(value, [...path, key]);
    }
  }
}
