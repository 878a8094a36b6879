// Optional `schemas:` — per experiment_type JSON Schemas that design data must satisfy.
import type { ValidateFunction } from 'ajv';
import { makeDiagnostic } from './diagnostics.js';
import { mapLimit } from '../concurrency.js';
import { loadReferencedFile, type FileContext } from './files.js';
import type { Diagnostic } from './model.js';
import type { ResolvedRun } from './resolve.js';
import { schemaErrorsToDiagnostics } from './schema-errors.js';
import { compileDesignSchema } from './schema.js';

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
