// A JSON checker that locates the first problem itself, the same on every Node version: V8's
// JSON.parse messages changed (some give no position, newer ones quote the file's content, which
// must never reach a log). It also refuses what JSON.parse would accept but we must not: nesting
// deeper than the limit, and numbers JSON.parse would silently change (1e400, 2^53 + 1).
// Iterative: no input can overflow the stack.
import { numberProblem, NUMBER_HINT } from './yaml-guard.js';

export interface JsonProblem {
  /** Character offset of the problem. */
  offset: number;
  code: 'invalid-json' | 'too-deep' | 'number';
  message: string;
  hint: string;
}

const SYNTAX_HINT = 'fix the JSON syntax (a `.yaml` file may use YAML instead)';
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?/y;
const LITERALS = ['true', 'false', 'null'];

class Stop {
  constructor(readonly problem: JsonProblem) {}
}

function syntax(offset: number, message: string): Stop {
  return new Stop({ offset, code: 'invalid-json', message: `invalid JSON: ${message}`, hint: SYNTAX_HINT });
}

function ws(t: string, i: number): number {
  for (;;) {
    const c = t.charCodeAt(i);
    if (c === 32 || c === 10 || c === 13 || c === 9) i++;
    else return i;
  }
}

/** End of the string starting at the quote at `i`. */
function skipString(t: string, i: number): number {
  const open = i;
  i++;
  for (;;) {
    if (i >= t.length) throw syntax(open, 'this string is never closed (a `"` is missing)');
    const c = t.charCodeAt(i);
    if (c === 34) return i + 1;
    if (c === 10 || c === 13) throw syntax(open, 'this string is not closed on its line (a `"` is missing)');
    if (c < 0x20) throw syntax(i, 'a control character inside a string (escape it, e.g. `\\t`)');
    if (c === 92) {
      const e = t.charAt(i + 1);
      if (e === 'u') {
        if (!/^[0-9a-fA-F]{4}$/.test(t.slice(i + 2, i + 6))) throw syntax(i, '`\\u` needs four hex digits');
        i += 6;
      } else if ('"\\/bfnrt'.includes(e) && e !== '') i += 2;
      else throw syntax(i, 'unknown escape in a string (allowed: \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)');
    } else i++;
  }
}

function found(t: string, i: number): string {
  if (i >= t.length) return 'the end of the file';
  const c = t.charAt(i);
  // Punctuation is shown; anything else is described, so no content reaches the message.
  return '{}[],:"'.includes(c)
    ? `\`${c}\``
    : /[A-Za-z0-9_+.-]/.test(c)
      ? 'a word or number'
      : 'a stray character';
}

/** Scan a value starting at `i` (after blanks); returns its end. Containers are pushed, not recursed. */
function scanScalarOrOpen(
  t: string,
  i: number,
  opens: number[],
  kinds: number[],
  maxDepth: number,
  numbers: JsonProblem[],
): number {
  const c = t.charCodeAt(i);
  if (c === 123 || c === 91) {
    if (opens.length >= maxDepth) {
      throw new Stop({
        offset: i,
        code: 'too-deep',
        message: `nested more than ${maxDepth} levels deep`,
        hint: 'flatten the data; deeper nesting is refused to keep every tool that reads it safe',
      });
    }
    opens.push(i);
    kinds.push(c);
    return i + 1;
  }
  if (c === 34) return skipString(t, i);
  if (c === 45 || (c >= 48 && c <= 57)) {
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(t);
    if (!m) throw syntax(i, 'invalid number');
    const token = m[0];
    const problem = numberProblem(Number(token), token);
    // Kept for after the syntax check: a broken file is reported as broken first.
    if (problem !== undefined && numbers.length === 0) {
      numbers.push({ offset: i, code: 'number', message: problem, hint: NUMBER_HINT });
    }
    return i + token.length;
  }
  for (const lit of LITERALS) if (t.startsWith(lit, i)) return i + lit.length;
  throw syntax(i, `expected a value, found ${found(t, i)}`);
}

/** The first problem in `text` (no byte-order mark), or undefined when JSON.parse will read it exactly. */
export function scanJson(text: string, maxDepth: number): JsonProblem | undefined {
  const t = text;
  const opens: number[] = [];
  const kinds: number[] = [];
  const numbers: JsonProblem[] = [];
  try {
    let i = ws(t, 0);
    if (i >= t.length) throw syntax(i, 'the file holds no value');
    // `i` is at the start of a value.
    for (;;) {
      const depth = opens.length;
      i = ws(t, scanScalarOrOpen(t, i, opens, kinds, maxDepth, numbers));
      if (opens.length > depth) {
        // Just opened a container: it may be empty, or starts with a value (list) or a key (mapping).
        const kind = kinds[kinds.length - 1];
        const close = kind === 123 ? 125 : 93;
        if (t.charCodeAt(i) === close) {
          opens.pop();
          kinds.pop();
          i = ws(t, i + 1);
        } else {
          if (kind === 123) i = key(t, i);
          continue;
        }
      }
      // After a value: `,` and the next one, a closer, or the end.
      for (;;) {
        if (opens.length === 0) {
          if (i < t.length) throw syntax(i, `unexpected ${found(t, i)} after the JSON value`);
          return numbers[0];
        }
        const kind = kinds[kinds.length - 1];
        const close = kind === 123 ? 125 : 93;
        const c = t.charCodeAt(i);
        if (c === close) {
          opens.pop();
          kinds.pop();
          i = ws(t, i + 1);
          continue;
        }
        if (c === 44) {
          i = ws(t, i + 1);
          if (kind === 123) i = key(t, i);
          break;
        }
        if (i >= t.length) {
          const what =
            kind === 123
              ? '`{` is never closed (a `}` is missing)'
              : '`[` is never closed (a `]` is missing)';
          throw syntax(opens[opens.length - 1], what);
        }
        const want = kind === 123 ? '`,` or `}`' : '`,` or `]`';
        throw syntax(i, `expected ${want}, found ${found(t, i)}`);
      }
    }
  } catch (e) {
    if (e instanceof Stop) return e.problem;
    throw e;
  }
}

/** A mapping key and its colon; returns where the value starts. */
function key(t: string, i: number): number {
  if (t.charCodeAt(i) !== 34) {
    throw syntax(i, `expected a property name in double quotes, found ${found(t, i)}`);
  }
  i = ws(t, skipString(t, i));
  if (t.charCodeAt(i) !== 58) throw syntax(i, `expected \`:\` after the property name, found ${found(t, i)}`);
  return ws(t, i + 1);
}
