// ajv errors → located, readable diagnostics (one per real problem, not one per schema branch).
import type { ErrorObject } from 'ajv';
import {
  describeValue,
  didYouMean,
  formatJsonPath,
  joinPath,
  makeDiagnostic,
  quoteList,
  type PathSegment,
} from './diagnostics.js';
import type { Diagnostic } from './model.js';
import type { Locator, ManifestSource } from './yaml-source.js';

/** Patterns of the manifest schema, said in words. */
const PATTERN_WORDS: Record<string, string> = {
  '^[a-z0-9][a-z0-9-]{0,62}$':
    'lowercase letters, digits and `-`, starting with a letter or digit, at most 63 characters',
  '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$':
    'letters, digits, `.`, `_` and `-`, starting with a letter or digit, at most 128 characters',
};

const TYPE_WORDS: Record<string, string> = {
  object: 'a mapping',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'true or false',
  null: 'null',
};

function typeWords(t: unknown): string {
  const list = Array.isArray(t) ? t : [t];
  return list.map((x) => TYPE_WORDS[String(x)] ?? String(x)).join(' or ');
}

/** Turn `/experiments/0/tags` into typed segments, using the data to tell list indexes from keys. */
function toSegments(instancePath: string, root: unknown): PathSegment[] {
  if (instancePath === '') return [];
  const out: PathSegment[] = [];
  let cur: unknown = root;
  for (const raw of instancePath.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur)) {
      const idx = Number(seg);
      out.push(idx);
      cur = cur[idx];
    } else {
      out.push(seg);
      cur = cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[seg] : undefined;
    }
  }
  return out;
}

const KIND_KEYWORDS = new Set(['type', 'const', 'enum']);

/**
 * How well a failed anyOf/oneOf branch fits the data, highest first: it is the right kind of value;
 * it knows more of the data's keys; its errors go deeper; it has fewer of them.
 */
function branchScore(group: readonly ErrorObject[], combinator: ErrorObject): number[] {
  const atRoot = group.filter((e) => e.instancePath === combinator.instancePath);
  const rightKind = atRoot.some((e) => KIND_KEYWORDS.has(e.keyword)) ? 0 : 1;
  const data = combinator.data;
  let known = 0;
  if (data !== null && typeof data === 'object' && !Array.isArray(data)) {
    const props = (atRoot[0]?.parentSchema as { properties?: object } | undefined)?.properties ?? {};
    known = Object.keys(data).filter((k) => k in props).length;
  }
  const depth = Math.max(...group.map((e) => e.instancePath.split('/').length));
  return [rightKind, known, depth, -group.length];
}

/**
 * Drop the noise ajv produces around combinators: for each failed anyOf/oneOf keep only the branch
 * that fits the data best (see branchScore).
 */
function denoise(errors: readonly ErrorObject[]): ErrorObject[] {
  let list = errors.filter((e) => e.keyword !== 'if' && e.keyword !== 'propertyNames');
  const combinators = list.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  for (const c of combinators) {
    const prefix = `${c.schemaPath}/`;
    const branches = new Map<string, ErrorObject[]>();
    for (const e of list) {
      if (!e.schemaPath.startsWith(prefix)) continue;
      const branch = e.schemaPath.slice(prefix.length).split('/')[0];
      const group = branches.get(branch) ?? [];
      group.push(e);
      branches.set(branch, group);
    }
    if (branches.size === 0) continue;
    const best = [...branches.values()]
      .map((g) => ({ g, score: branchScore(g, c) }))
      .sort((a, b) => {
        for (let i = 0; i < a.score.length; i++)
          if (a.score[i] !== b.score[i]) return b.score[i] - a.score[i];
        return 0;
      })[0].g;
    const drop = new Set<ErrorObject>([c]);
    for (const g of branches.values()) if (g !== best) for (const e of g) drop.add(e);
    list = list.filter((e) => !drop.has(e));
  }
  const seen = new Set<string>();
  return list.filter((e) => {
    const id = `${e.instancePath}\0${e.keyword}\0${JSON.stringify(e.params)}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

export interface SchemaErrorContext {
  /** The data that was validated (to type path segments and describe values). */
  root: unknown;
  locator: Locator;
  /** Prefix for locating and naming paths when the data sits inside a bigger document. */
  basePath?: readonly PathSegment[];
  /** Diagnostic code prefix: `schema` for the manifest, `design-schema` for design data. */
  codePrefix?: string;
  /** What the validated root is called in messages, e.g. "the manifest". */
  rootName?: string;
}

export function schemaErrorsToDiagnostics(
  errors: readonly ErrorObject[],
  ctx: SchemaErrorContext,
): Diagnostic[] {
  const base = ctx.basePath ?? [];
  const codePrefix = ctx.codePrefix ?? 'schema';
  return denoise(errors).map((e) => {
    const segs = [...base, ...toSegments(e.instancePath, ctx.root)];
    const last = segs.length > base.length ? segs[segs.length - 1] : undefined;
    const name =
      typeof last === 'string'
        ? `\`${last}\``
        : last === undefined
          ? (ctx.rootName ?? 'the document')
          : 'entry';
    const code = `${codePrefix}.${e.keyword}`;
    const params = e.params as Record<string, unknown>;
    if (e.propertyName !== undefined) {
      // An error about a key itself (from `propertyNames`), not about the mapping holding it.
      const key = e.propertyName;
      return makeDiagnostic(
        ctx.locator.locate([...segs, key], 'key'),
        `${codePrefix}.propertyNames`,
        key === '' ? `empty key in ${name}` : `key \`${key}\` in ${name} ${e.message ?? 'is not allowed'}`,
        { hint: key === '' ? 'give every key a name' : 'rename the key' },
      );
    }
    switch (e.keyword) {
      case 'required': {
        const missing = String(params.missingProperty);
        const at = ctx.locator.locate(segs, 'value');
        return makeDiagnostic(
          { ...at, path: joinPath(at.path, formatJsonPath([missing])) },
          code,
          `missing required property \`${missing}\``,
          { hint: requiredHint(missing, segs.length) },
        );
      }
      case 'additionalProperties': {
        const extra = String(params.additionalProperty);
        const at = ctx.locator.locate([...segs, extra], 'key');
        const parent = e.parentSchema as { properties?: Record<string, unknown> } | undefined;
        const allowed = Object.keys(parent?.properties ?? {});
        return makeDiagnostic(at, code, `unknown property \`${extra}\``, {
          ...(allowed.length > 0 ? { expected: `one of ${quoteList(allowed)}` } : {}),
          hint: didYouMean(extra, allowed) ?? 'remove it, or check its indentation',
        });
      }
      case 'enum': {
        const allowed = (params.allowedValues as unknown[]) ?? [];
        const strings = allowed.filter((v): v is string => typeof v === 'string');
        const guess = typeof e.data === 'string' ? didYouMean(e.data, strings) : undefined;
        return makeDiagnostic(ctx.locator.locate(segs), code, `${name} is not an allowed value`, {
          expected: `one of ${quoteList(allowed)}`,
          found: describeValue(e.data),
          ...(guess ? { hint: guess } : {}),
        });
      }
      case 'const': {
        const isVersion = segs.length === 1 && segs[0] === 'version';
        if (isVersion && typeof e.data === 'string' && Number(e.data) === params.allowedValue) {
          return makeDiagnostic(ctx.locator.locate(segs), code, '`version` is a string', {
            expected: `the number ${JSON.stringify(params.allowedValue)}`,
            found: describeValue(e.data),
            hint: `write \`version: ${JSON.stringify(params.allowedValue)}\` without quotes`,
          });
        }
        return makeDiagnostic(
          ctx.locator.locate(segs),
          code,
          isVersion ? 'unsupported manifest version' : `${name} has the wrong value`,
          {
            expected: JSON.stringify(params.allowedValue),
            found: describeValue(e.data),
            ...(isVersion ? { hint: 'this tool reads manifest format `version: 1`' } : {}),
          },
        );
      }
      case 'type': {
        // As written (`1.0`), not as YAML read it (1): for a number that must be quoted, that loss is the point.
        const written =
          typeof e.data === 'number' && 'sourceText' in ctx.locator
            ? (ctx.locator as ManifestSource).sourceText(segs)
            : undefined;
        const hint = typeHint(last, e.data, written);
        return makeDiagnostic(ctx.locator.locate(segs), code, `${name} has the wrong type`, {
          expected: typeWords(params.type),
          found: written ? `\`${written}\`` : describeValue(e.data),
          ...(hint !== undefined ? { hint } : {}),
        });
      }
      case 'pattern': {
        const pattern = String(params.pattern);
        return makeDiagnostic(ctx.locator.locate(segs), code, `${name} has an invalid format`, {
          expected: PATTERN_WORDS[pattern] ?? `text matching /${pattern}/`,
          found: describeValue(e.data),
        });
      }
      case 'minLength':
        if (params.limit === 1) {
          return makeDiagnostic(ctx.locator.locate(segs), code, `${name} must not be empty`, {
            found: describeValue(e.data),
          });
        }
        break;
    }
    return makeDiagnostic(ctx.locator.locate(segs), code, `${name} ${e.message ?? 'is invalid'}`, {
      ...(e.data !== undefined ? { found: describeValue(e.data) } : {}),
    });
  });
}

function typeHint(
  last: PathSegment | undefined,
  data: unknown,
  written: string | undefined,
): string | undefined {
  if (last === 'tags') return 'write tags as a mapping, e.g. `tags: { cell_line: HeLa }`';
  if (last === 'schema_version' && typeof data === 'number') {
    return `quote it: \`schema_version: "${written || String(data)}"\` (unquoted, YAML reads a number: 1.0 becomes 1)`;
  }
  return undefined;
}

function requiredHint(missing: string, depth: number): string | undefined {
  if (depth === 0 && missing === 'version') return 'add `version: 1` at the top of the file';
  if (depth === 0 && missing === 'stack') return 'add `stack: <name>`; it names who owns these experiments';
  if (missing === 'key') return 'add a stable `key:` (it identifies the entry across runs)';
  if (missing === 'plugin_id') return 'add the `plugin_id:` of the plugin that owns this data';
  return undefined;
}
