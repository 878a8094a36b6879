import { describe, expect, it } from 'vitest';
import { interpolate } from '../../src/manifest/index.js';

const env = { RUN: '42', EMPTY: '', SHA: 'abc' };

describe('interpolate', () => {
  it.each([
    ['plain text', 'plain text'],
    ['${RUN}', '42'],
    ['run-${RUN}-${SHA}', 'run-42-abc'],
    ['${MISSING:-fallback}', 'fallback'],
    ['${EMPTY:-fallback}', 'fallback'],
    ['${RUN:-fallback}', '42'],
    ['${MISSING:-}', ''],
    ['${MISSING:-a:b-c}', 'a:b-c'],
    ['$${RUN}', '${RUN}'],
    // Leftmost match: a lone `$` stays, then `$${` is the escape.
    ['$$${RUN}', '$${RUN}'],
    ['cost $5 and $', 'cost $5 and $'],
    ['${EMPTY}', ''],
  ])('%s → %s', (input, expected) => {
    expect(interpolate(input, env)).toEqual({ ok: true, value: expected });
  });

  it('names an unset variable and where it starts', () => {
    const r = interpolate('run-${NOPE}', env);
    expect(r).toMatchObject({ ok: false, code: 'interp.unset', index: 4, variable: 'NOPE' });
    if (!r.ok) expect(r.hint).toContain('${NOPE:-value}');
  });

  it.each([['${RUN'], ['${}'], ['${1X}'], ['${A B}']])('rejects malformed %s', (input) => {
    expect(interpolate(input, env)).toMatchObject({ ok: false, code: 'interp.syntax', index: 0 });
  });
});
