// `${VAR}` / `${VAR:-default}` / `$${` in manifest string values.

export type InterpolationResult =
  | { ok: true; value: string }
  | {
      ok: false;
      /** Index in the input string of the offending `${`. */
      index: number;
      code: 'interp.unset' | 'interp.syntax';
      message: string;
      hint: string;
      found?: string;
      variable?: string;
    };

const REF = /^([A-Za-z_][A-Za-z0-9_]*)(?::-([\s\S]*))?$/;

/**
 * Replace variable references with values from `env`. Shell-like: `${VAR:-x}` uses `x` when VAR is
 * unset or empty; `$${` is a literal `${`. Defaults are literal text (no nesting).
 */
export function interpolate(input: string, env: NodeJS.ProcessEnv): InterpolationResult {
  if (!input.includes('${')) return { ok: true, value: input };
  let out = '';
  let i = 0;
  while (i < input.length) {
    const dollar = input.indexOf('$', i);
    if (dollar < 0) {
      out += input.slice(i);
      break;
    }
    out += input.slice(i, dollar);
    if (input.startsWith('$${', dollar)) {
      out += '${';
      i = dollar + 3;
      continue;
    }
    if (!input.startsWith('${', dollar)) {
      out += '$';
      i = dollar + 1;
      continue;
    }
    const close = input.indexOf('}', dollar + 2);
    if (close < 0) {
      return {
        ok: false,
        index: dollar,
        code: 'interp.syntax',
        message: 'unclosed `${` in a variable reference',
        hint: 'write `${NAME}`, or `$${` for a literal `${`',
      };
    }
    const inner = input.slice(dollar + 2, close);
    const m = REF.exec(inner);
    if (!m) {
      return {
        ok: false,
        index: dollar,
        code: 'interp.syntax',
        message: `invalid variable reference \`\${${inner}}\``,
        found: `\`\${${inner}}\``,
        hint: 'names use letters, digits and `_`; write `${NAME}` or `${NAME:-default}`, or `$${` for a literal `${`',
      };
    }
    const [, name, fallback] = m;
    const value = env[name];
    if (fallback !== undefined) {
      out += value === undefined || value === '' ? fallback : value;
    } else if (value === undefined) {
      return {
        ok: false,
        index: dollar,
        code: 'interp.unset',
        message: `environment variable \`${name}\` is not set`,
        variable: name,
        hint: `set ${name}, or give a default: \`\${${name}:-value}\``,
      };
    } else {
      out += value;
    }
    i = close + 1;
  }
  return { ok: true, value: out };
}
