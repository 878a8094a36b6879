import { describe, expect, it } from 'vitest';
import {
  interpolate,
  parseAllowEnv,
  type InterpolationPolicy,
  type InterpolationResult,
} from '../../src/manifest/index.js';

const env = { RUN: '42', EMPTY: '', SHA: 'abc' };
const policy: InterpolationPolicy = { env, allow: ['RUN', 'EMPTY', 'SHA', 'MISSING', 'NOPE', 'X', 'Y'] };

const errorsOf = (r: InterpolationResult) => (r.ok ? [] : r.errors);

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
    // Nested defaults, as in a shell.
    ['${MISSING:-${RUN}}', '42'],
    ['${MISSING:-run-${NOPE:-${SHA}}-x}', 'run-abc-x'],
    ['${RUN:-${NOPE}}', '42'],
    ['${MISSING:-$${RUN}}', '${RUN}'],
  ])('%s → %s', (input, expected) => {
    expect(interpolate(input, policy)).toEqual({ ok: true, value: expected });
  });

  it('names an unset variable and where it starts', () => {
    const [e, ...rest] = errorsOf(interpolate('run-${NOPE}', policy));
    expect(rest).toEqual([]);
    expect(e).toMatchObject({ code: 'interp.unset', index: 4, variable: 'NOPE' });
    expect(e.hint).toContain('${NOPE:-value}');
  });

  it('an unset variable inside a used default is reported at its own `${`', () => {
    expect(errorsOf(interpolate('${MISSING:-${NOPE}}', policy))).toMatchObject([
      { code: 'interp.unset', index: 11, variable: 'NOPE' },
    ]);
  });

  it.each([
    ['${RUN', 0],
    ['${}', 0],
    ['${1X}', 0],
    ['${A B}', 0],
    ['${RUN:-${SHA}', 0],
    ['${A:-${B', 5],
  ])('rejects malformed %s once', (input, index) => {
    expect(errorsOf(interpolate(input, policy))).toMatchObject([{ code: 'interp.syntax', index }]);
  });

  it('reports every failing reference in a string, not only the first', () => {
    const r = interpolate('${NOPE}-${1X}-${RUN}-${X}-${DEPLOY_KEY}-${Y:-ok}', policy);
    expect(errorsOf(r).map((e) => [e.index, e.code])).toEqual([
      [0, 'interp.unset'],
      [8, 'interp.syntax'],
      [21, 'interp.unset'],
      [26, 'interp.not-allowed'],
    ]);
  });
});

describe('what ${VAR} may read', () => {
  const ghEnv = {
    MINT_VAR_BATCH: 'b7',
    GITHUB_SHA: 'deadbeef',
    RUNNER_OS: 'Linux',
    DEPLOY_KEY: 'ssh-secret-value',
    LAB_RUN: 'r1',
    LAB_OTHER: 'r2',
    MINT_TOKEN: 'mint_pat_abcdefgh',
    MINT_PASSWORD: 'pw-123456',
    GITHUB_TOKEN: 'ghs_123456789',
    ACTIONS_RUNTIME_TOKEN: 'rt-123456',
    mint_token: 'lower-case-copy',
  };

  it('MINT_VAR_* and the run context by default', () => {
    expect(interpolate('${MINT_VAR_BATCH}@${GITHUB_SHA} on ${RUNNER_OS}', { env: ghEnv })).toEqual({
      ok: true,
      value: 'b7@deadbeef on Linux',
    });
  });

  it.each(['${DEPLOY_KEY}', '${DEPLOY_KEY:-x}', '${UNSET_ELSEWHERE}', '${MINT_VAR_X:-${DEPLOY_KEY}}'])(
    'refuses %s without printing any value, set or unset',
    (input) => {
      const errors = errorsOf(interpolate(input, { env: ghEnv }));
      expect(errors).toHaveLength(1);
      expect(errors[0].code).toBe('interp.not-allowed');
      expect(errors[0].hint).toContain('--allow-env');
      expect(errors[0].hint).toContain('MINT_MANIFEST_ALLOW_ENV');
      expect(errors[0].hint).toContain('allow-env:');
      expect(JSON.stringify(errors)).not.toContain('ssh-secret-value');
    },
  );

  it('reads more when allowed, by name or glob', () => {
    expect(
      interpolate('${DEPLOY_KEY}/${LAB_RUN}/${LAB_OTHER}', { env: ghEnv, allow: ['DEPLOY_KEY', 'LAB_*'] }),
    ).toEqual({
      ok: true,
      value: 'ssh-secret-value/r1/r2',
    });
  });

  it.each(['MINT_TOKEN', 'MINT_PASSWORD', 'GITHUB_TOKEN', 'ACTIONS_RUNTIME_TOKEN', 'mint_token'])(
    'never reads %s, even when allowed',
    (name) => {
      const errors = errorsOf(interpolate(`\${${name}}`, { env: ghEnv, allow: ['*', name] }));
      expect(errors).toMatchObject([{ code: 'interp.credential', variable: name }]);
      expect(JSON.stringify(errors)).not.toMatch(/abcdefgh|123456|lower-case-copy/);
    },
  );

  it('never interpolates a value the run masked, whatever the variable is called', () => {
    const r = interpolate('key=${MINT_VAR_COPY}', {
      env: { MINT_VAR_COPY: 'prefix-ssh-secret-value' },
      deniedValues: ['ssh-secret-value'],
    });
    expect(errorsOf(r)).toMatchObject([{ code: 'interp.secret-value', variable: 'MINT_VAR_COPY' }]);
    expect(JSON.stringify(r)).not.toContain('ssh-secret-value');
  });

  it('parses allow lists: commas, spaces, globs; refuses anything else', () => {
    expect(parseAllowEnv('LAB_*, RUN_ID\nX?', '--allow-env')).toEqual(['LAB_*', 'RUN_ID', 'X?']);
    expect(parseAllowEnv('', 'allow-env')).toEqual([]);
    expect(() => parseAllowEnv('LAB-RUN', '--allow-env')).toThrow(
      /--allow-env: "LAB-RUN" is not a variable name/,
    );
  });
});
