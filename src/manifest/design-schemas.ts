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
  // One budget for compiling the schemas and checking the data: both come from the manifest.
  const budget = new Budget(ctx.designCheckMs);
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
    const value = outcome.file.value;
    const compiled = budget.run(() => compileDesignSchema(value));
    if (compiled.ok) {
      validators.set(s.experimentType, compiled.value);
    } else if (compiled.timedOut) {
      out.push(
        makeDiagnostic(
          s.at,
          'schemas.timeout',
          `design schema \`${s.ref}\` took longer than ${budget.seconds} s to compile, so it was stopped`,
          { hint: 'make the schema smaller or less deeply nested (YAML aliases repeat what they point to)' },
        ),
      );
    } else {
      out.push(
        makeDiagnostic(
          s.at,
          'schemas.invalid',
          `design schema \`${s.ref}\` is not a usable JSON Schema: ${compiled.reason}`,
          {
            hint: 'fix the schema file (draft 2020-12, 2019-09 or draft-07)',
          },
        ),
      );
    }
  });
  if (validators.size === 0) return;

  const checks: { design: DesignSpec; origin: DesignOrigin; validate: ValidateFunction }[] = [];
  for (const [design, origin] of run.designOrigins) {
    const validate = origin.experimentType !== undefined ? validators.get(origin.experimentType) : undefined;
    if (validate && origin.ready) checks.push({ design, origin, validate });
  }
  const results = budget.runEach(checks, ({ design, validate }) =>
    validate(design.data) ? [] : (validate.errors ?? []),
  );
  results.forEach((checked, i) => {
    const { design, origin } = checks[i];
    const rule = `design schema for \`${origin.experimentType}\``;
    if (checked.ok) return reportDesign(design, origin, rule, checked.value, out);
    const at = origin.locator.locate(origin.basePath);
    if (!checked.timedOut) {
      out.push(
        makeDiagnostic(
          at,
          'design-schema.failed',
          `checking this design data against the ${rule} failed: ${checked.reason}`,
          {
            hint: 'fix the schema: it cannot be applied to this data (a `$ref: "#"` inside `anyOf`, for one, recurses forever)',
          },
        ),
      );
      return;
    }
    out.push(
      makeDiagnostic(
        at,
        'design-schema.timeout',
        `checking design data against the design schemas took longer than ${budget.seconds} s, so it was ` +
          `stopped here (against the ${rule}); the design data after it was not checked`,
        {
          hint:
            'a `pattern` with nested repetition such as `^(a+)+$` can take exponential time on a near-miss: ' +
            'simplify the patterns of that schema (or, if the data is simply very large, raise ' +
            'MINT_DESIGN_CHECK_TIMEOUT, in seconds)',
        },
      ),
    );
  });
}

/** Errors kept for one design: the noise filter compares them pairwise, so a flood would take hours. */
const MAX_ERRORS_PER_DESIGN = 100;

function reportDesign(
  design: DesignSpec,
  origin: DesignOrigin,
  rule: string,
  errors: ErrorObject[],
  out: Diagnostic[],
): void {
  if (errors.length === 0) return;
  const found = schemaErrorsToDiagnostics(errors.slice(0, MAX_ERRORS_PER_DESIGN), {
    root: design.data,
    locator: origin.locator,
    basePath: origin.basePath,
    codePrefix: 'design-schema',
    rootName: 'the design data',
  });
  for (const d of found) {
    d.hint = d.hint ? `${d.hint} (${rule})` : `required by the ${rule}`;
    out.push(d);
  }
  if (errors.length > MAX_ERRORS_PER_DESIGN) {
    out.push(
      makeDiagnostic(
        origin.locator.locate(origin.basePath),
        'design-schema.more',
        `this design data breaks the ${rule} in ${errors.length - MAX_ERRORS_PER_DESIGN} more places than shown`,
        { hint: 'fix the ones shown first; they often explain the rest' },
      ),
    );
  }
}

type Bounded<T> =
  { ok: true; value: T } | { ok: false; timedOut: true } | { ok: false; timedOut: false; reason: string };

/**
 * The schemas and the data both come from the manifest, which a pull request's author controls. A
 * pattern such as `^(a+)+$` backtracks exponentially on a near-miss, and a schema made large by YAML
 * aliases compiles for minutes: either would hold a plan for hours. So each compile and each check
 * runs inside a `vm` call with what is left of one budget as its timeout; V8 interrupts a running
 * regular expression when the time is up. Patterns keep their exact JavaScript meaning. Any other
 * failure (a schema that recurses forever overflows the stack) is returned as one line.
 */
class Budget {
  private readonly end: number;
  private readonly context = vm.createContext({ loop: undefined as undefined | (() => void) });
  readonly seconds: number;

  constructor(ms: number) {
    // vm takes a whole number of ms from 1 to 2^32 - 1
    const total = Math.min(Math.max(Math.round(ms), 1), 2 ** 32 - 1);
    this.end = Date.now() + total;
    this.seconds = total / 1000;
  }

  run<T>(fn: () => T): Bounded<T> {
    return this.runEach([undefined], fn)[0];
  }

  /**
   * `fn` over `items` in one vm call (one per item would cost a watchdog thread each). The result
   * list stops at the item that ran out of time, which is the last entry (timedOut).
   */
  runEach<I, T>(items: readonly I[], fn: (item: I) => T): Bounded<T>[] {
    const results: Bounded<T>[] = [];
    const loop = () => {
      for (let i = results.length; i < items.length; i++) {
        try {
          results.push({ ok: true, value: fn(items[i]) });
        } catch (err) {
          const reason = (err instanceof Error ? err.message : String(err)).split('\n')[0].slice(0, 300);
          results.push({ ok: false, timedOut: false, reason });
        }
      }
    };
    const left = this.end - Date.now();
    if (left >= 1) {
      try {
        this.context.loop = loop;
        BOUNDED_CALL.runInContext(this.context, { timeout: left });
      } catch (err) {
        if ((err as { code?: unknown }).code !== 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw err;
      } finally {
        this.context.loop = undefined;
      }
    }
    // the item being checked when time ran out (a push interrupted mid-way never happened)
    if (results.length < items.length) results.push({ ok: false, timedOut: true });
    return results;
  }
}

const BOUNDED_CALL = new vm.Script('loop()');
