// Optional `schemas:` — per experiment_type JSON Schemas that design data must satisfy.
import * as vm from 'node:vm';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { makeDiagnostic } from './diagnostics.js';
import { mapLimit } from '../concurrency.js';
import { loadReferencedFile, type FileContext } from './files.js';
import type { DesignSpec, Diagnostic } from './model.js';
import type { DesignOrigin, ResolvedRun } from './resolve.js';
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

  const checks: DesignCheck[] = [];
  for (const [design, origin] of run.designOrigins) {
    const validate = origin.experimentType !== undefined ? validators.get(origin.experimentType) : undefined;
    if (validate && origin.ready) checks.push({ design, origin, validate });
  }
  const progress = runWithDeadline(checks, ctx.designCheckMs);
  for (const [i, errors] of progress.failures) reportDesign(checks[i], errors, out);
  if (progress.done < checks.length) {
    const c = checks[progress.done];
    const seconds = ctx.designCheckMs / 1000;
    out.push(
      makeDiagnostic(
        c.origin.locator.locate(c.origin.basePath),
        'design-schema.timeout',
        `checking this design data against the design schema for \`${c.origin.experimentType}\` took longer than ` +
          `${seconds} s, so it was stopped`,
        {
          hint:
            'a `pattern` with nested repetition such as `^(a+)+$` can take exponential time on a near-miss: ' +
            'simplify the patterns of that schema (or, if the data is simply very large, raise ' +
            'MINT_DESIGN_CHECK_TIMEOUT, in seconds)',
        },
      ),
    );
  }
}

interface DesignCheck {
  design: DesignSpec;
  origin: DesignOrigin;
  validate: ValidateFunction;
}

function reportDesign({ design, origin }: DesignCheck, errors: ErrorObject[], out: Diagnostic[]): void {
  const found = schemaErrorsToDiagnostics(errors, {
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

/**
 * The schemas and the data both come from the manifest, which a pull request's author controls. A
 * pattern such as `^(a+)+$` backtracks exponentially on a near-miss, and would hold a plan for hours.
 * So the checks run inside one `vm` call with a timeout: V8 interrupts a running regular expression
 * when the time is up. Patterns keep their exact JavaScript meaning. `done` says how far it got;
 * when short of the end, the check at `done` is the one that was stopped.
 */
function runWithDeadline(
  checks: DesignCheck[],
  timeoutMs: number,
): { done: number; failures: Map<number, ErrorObject[]> } {
  const state = { done: 0, failures: new Map<number, ErrorObject[]>() };
  const run = () => {
    for (; state.done < checks.length; state.done++) {
      const c = checks[state.done];
      if (!c.validate(c.design.data)) state.failures.set(state.done, c.validate.errors ?? []);
    }
  };
  try {
    DEADLINE_SCRIPT.runInContext(vm.createContext({ run }), { timeout: timeoutMs });
  } catch (err) {
    if ((err as { code?: unknown }).code !== 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw err;
  }
  return state;
}

const DEADLINE_SCRIPT = new vm.Script('run()');
