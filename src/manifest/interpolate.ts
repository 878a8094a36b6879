// `${VAR}` / `${VAR:-default}` / `$${` in manifest string values, limited to what the workflow allows.
//
// A manifest is written by whoever opens the pull request, so it may only read variables the
// workflow chose to expose (Terraform reads only TF_VAR_*): MINT_VAR_* and GitHub's non-secret run
// context by default, more through --allow-env / MINT_MANIFEST_ALLOW_ENV / the `allow-env` input.
// Credentials can never be read, whatever is allowed.

/** Readable without being allowed: the variables meant for manifests, and the run's non-secret context. */
export const DEFAULT_ALLOWED_ENV: readonly string[] = [
  'MINT_VAR_*',
  'GITHUB_SHA',
  'GITHUB_REF',
  'GITHUB_REF_NAME',
  'GITHUB_HEAD_REF',
  'GITHUB_BASE_REF',
  'GITHUB_RUN_ID',
  'GITHUB_RUN_NUMBER',
  'GITHUB_RUN_ATTEMPT',
  'GITHUB_REPOSITORY',
  'GITHUB_ACTOR',
  'GITHUB_WORKFLOW',
  'GITHUB_JOB',
  'GITHUB_EVENT_NAME',
  'GITHUB_SERVER_URL',
  'RUNNER_OS',
];

/** Never readable, even when allowed (compared without case: Windows environments ignore it). */
export const DENIED_ENV: readonly string[] = ['MINT_TOKEN', 'MINT_PASSWORD', 'GITHUB_TOKEN', 'ACTIONS_*'];

/** The environment variable that adds to the allow-list, as `--allow-env` does. */
export const ALLOW_ENV_VARIABLE = 'MINT_MANIFEST_ALLOW_ENV';

/** What `${…}` may read. */
export interface InterpolationPolicy {
  env: NodeJS.ProcessEnv;
  /** Names or globs (`LAB_*`) readable on top of DEFAULT_ALLOWED_ENV. */
  allow?: readonly string[];
  /** Secret values (those the Action masked): a variable holding one is never interpolated. */
  deniedValues?: readonly string[];
}

export type InterpolationCode =
  'interp.unset' | 'interp.syntax' | 'interp.not-allowed' | 'interp.credential' | 'interp.secret-value';

export interface InterpolationError {
  /** Index in the input string of the offending `${`. */
  index: number;
  code: InterpolationCode;
  message: string;
  hint: string;
  found?: string;
  variable?: string;
}

export type InterpolationResult = { ok: true; value: string } | { ok: false; errors: InterpolationError[] };

// ---- allow-list patterns ----

const PATTERN = /^[A-Za-z_*?][A-Za-z0-9_*?]*$/;

function globToRegExp(glob: string, flags = ''): RegExp {
  const body = glob.replace(/[*?]/g, (c) => (c === '*' ? '[A-Za-z0-9_]*' : '[A-Za-z0-9_]'));
  return new RegExp(`^${body}$`, flags);
}

const DENIED = DENIED_ENV.map((p) => globToRegExp(p, 'i'));

/**
 * `NAME[,NAME…]` (commas, spaces or newlines; globs with `*` and `?`) → patterns. Throws an Error
 * naming the bad entry; `source` says where the list came from (`--allow-env`, an input name…).
 */
export function parseAllowEnv(text: string, source: string): string[] {
  const items = text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const item of items) {
    if (!PATTERN.test(item)) {
      throw new Error(
        `${source}: "${item}" is not a variable name or glob — use letters, digits, \`_\` and \`*\`, e.g. LAB_RUN,LAB_*`,
      );
    }
  }
  return items;
}

const policyCache = new WeakMap<readonly string[], RegExp[]>();

function allowMatchers(allow: readonly string[]): RegExp[] {
  let m = policyCache.get(allow);
  if (!m) {
    m = [...DEFAULT_ALLOWED_ENV, ...allow].map((p) => globToRegExp(p));
    policyCache.set(allow, m);
  }
  return m;
}

const EMPTY: readonly string[] = [];

/** Why `name` may not be read, or undefined when it may. */
function checkName(name: string, policy: InterpolationPolicy, index: number): InterpolationError | undefined {
  if (DENIED.some((re) => re.test(name))) {
    return {
      index,
      code: 'interp.credential',
      variable: name,
      message: `\`${name}\` holds a credential and can never be interpolated into a manifest`,
      hint: 'remove the reference; the tool reads MINT_TOKEN / MINT_PASSWORD itself and never needs them in the manifest',
    };
  }
  if (allowMatchers(policy.allow ?? EMPTY).some((re) => re.test(name))) return undefined;
  return {
    index,
    code: 'interp.not-allowed',
    variable: name,
    message: `environment variable \`${name}\` may not be read by the manifest`,
    hint:
      `allow it with \`--allow-env ${name}\` (CLI), ${ALLOW_ENV_VARIABLE}=${name}, or the Action input ` +
      `\`allow-env: ${name}\` — or pass the value as MINT_VAR_${name}; readable by default: MINT_VAR_* and ` +
      `GitHub's run context (GITHUB_SHA, GITHUB_REF_NAME, GITHUB_RUN_ID, …)`,
  };
}

/** A variable whose value contains a masked secret: refused, and the value is never shown. */
function checkValue(name: string, value: string, policy: InterpolationPolicy, index: number) {
  const denied = policy.deniedValues ?? EMPTY;
  if (!denied.some((s) => s.length >= 4 && value.includes(s))) return undefined;
  const error: InterpolationError = {
    index,
    code: 'interp.secret-value',
    variable: name,
    message: `the value of \`${name}\` is a secret this run masks; it can never be interpolated`,
    hint: 'secrets stay out of manifests: remove the reference or point it at a non-secret variable',
  };
  return error;
}

// ---- parsing: text → parts, collecting every syntax error ----

interface Ref {
  name: string;
  /** Index of the `${` in the input. */
  index: number;
  /** Parts of `:-default`, when given; may hold nested references. */
  fallback?: Part[];
}
type Part = string | Ref;

const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;

class Parser {
  pos = 0;
  /** Set once an unclosed `${` swallowed the rest: enclosing references are not reported again. */
  private gaveUp = false;
  readonly errors: InterpolationError[] = [];
  constructor(readonly input: string) {}

  /** Parts up to the end of the input, or (nested) up to the `}` closing a default. */
  parts(nested: boolean): Part[] {
    const out: Part[] = [];
    let text = '';
    const { input } = this;
    while (this.pos < input.length) {
      const c = input[this.pos];
      if (nested && c === '}') break;
      if (input.startsWith('$${', this.pos)) {
        text += '${';
        this.pos += 3;
      } else if (input.startsWith('${', this.pos)) {
        if (text) out.push(text);
        text = '';
        const ref = this.ref();
        if (ref) out.push(ref);
      } else {
        text += c;
        this.pos++;
      }
    }
    if (text) out.push(text);
    return out;
  }

  private ref(): Ref | undefined {
    const { input } = this;
    const index = this.pos;
    NAME.lastIndex = index + 2;
    const m = NAME.exec(input);
    const name = m?.[0];
    const after = index + 2 + (name?.length ?? 0);
    if (name && input[after] === '}') {
      this.pos = after + 1;
      return { name, index };
    }
    if (name && input.startsWith(':-', after)) {
      this.pos = after + 2;
      const fallback = this.parts(true);
      if (input[this.pos] === '}') {
        this.pos++;
        return { name, index, fallback };
      }
      if (!this.gaveUp) this.unclosed(index);
      return undefined;
    }
    this.invalid(index);
    return undefined;
  }

  /** A malformed reference: report it whole and go on after its closing `}`. */
  private invalid(index: number): void {
    const close = this.matchingBrace(index + 2);
    if (close < 0) return this.unclosed(index);
    const inner = this.input.slice(index + 2, close);
    this.errors.push({
      index,
      code: 'interp.syntax',
      message: `invalid variable reference \`\${${inner}}\``,
      found: `\`\${${inner}}\``,
      hint: 'names use letters, digits and `_`; write `${NAME}` or `${NAME:-default}`, or `$${` for a literal `${`',
    });
    this.pos = close + 1;
  }

  private unclosed(index: number): void {
    this.errors.push({
      index,
      code: 'interp.syntax',
      message: 'unclosed `${` in a variable reference',
      hint: 'write `${NAME}`, or `$${` for a literal `${`',
    });
    this.pos = this.input.length;
    this.gaveUp = true;
  }

  /** The `}` that closes a `${` whose body starts at `from`, counting nested `${`; -1 when none. */
  private matchingBrace(from: number): number {
    let depth = 0;
    for (let i = from; i < this.input.length; i++) {
      if (this.input.startsWith('${', i)) {
        depth++;
        i++;
      } else if (this.input[i] === '}') {
        if (depth === 0) return i;
        depth--;
      }
    }
    return -1;
  }
}

// ---- evaluation ----

function collectRefs(parts: readonly Part[], out: Ref[] = []): Ref[] {
  for (const p of parts) {
    if (typeof p === 'string') continue;
    out.push(p);
    if (p.fallback) collectRefs(p.fallback, out);
  }
  return out;
}

/** Shell-like: `${VAR:-x}` uses x when VAR is unset or empty; x may itself hold references. */
function evaluate(
  parts: readonly Part[],
  policy: InterpolationPolicy,
  refused: ReadonlySet<Ref>,
  errors: InterpolationError[],
): string {
  let out = '';
  for (const p of parts) {
    if (typeof p === 'string') {
      out += p;
      continue;
    }
    // Already reported, and its value must not be looked at.
    if (refused.has(p)) continue;
    const value = policy.env[p.name];
    if (value !== undefined && value !== '') {
      const refused = checkValue(p.name, value, policy, p.index);
      if (refused) errors.push(refused);
      else out += value;
    } else if (p.fallback) {
      out += evaluate(p.fallback, policy, refused, errors);
    } else if (value === undefined) {
      errors.push({
        index: p.index,
        code: 'interp.unset',
        message: `environment variable \`${p.name}\` is not set`,
        variable: p.name,
        hint: `set ${p.name}, or give a default: \`\${${p.name}:-value}\``,
      });
    }
  }
  return out;
}

/** Accepts a bare environment for callers that only want the default allow-list. */
function asPolicy(policy: InterpolationPolicy | NodeJS.ProcessEnv): InterpolationPolicy {
  return 'env' in policy && typeof policy.env === 'object' && policy.env !== null
    ? (policy as InterpolationPolicy)
    : { env: policy as NodeJS.ProcessEnv };
}

/**
 * Replace variable references. Every problem in the string is reported: syntax errors, variables
 * the policy does not allow (set or not, with or without a default), and unset variables.
 */
export function interpolate(
  input: string,
  policyOrEnv: InterpolationPolicy | NodeJS.ProcessEnv,
): InterpolationResult {
  if (!input.includes('${')) return { ok: true, value: input };
  const policy = asPolicy(policyOrEnv);
  const parser = new Parser(input);
  const parts = parser.parts(false);
  const errors = parser.errors;
  const refused = new Set<Ref>();
  for (const ref of collectRefs(parts)) {
    const e = checkName(ref.name, policy, ref.index);
    if (e) {
      errors.push(e);
      refused.add(ref);
    }
  }
  // Refused references are skipped, so every other problem in the string is still found.
  const value = evaluate(parts, policy, refused, errors);
  if (errors.length === 0) return { ok: true, value };
  errors.sort((a, b) => a.index - b.index);
  return { ok: false, errors };
}
