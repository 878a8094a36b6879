import { describe, expect, it } from 'vitest';
import { formatJsonPath, levenshtein, nearest } from '../../src/manifest/diagnostics.js';
import { checkDate, compareDates } from '../../src/dates.js';
import { formatDiagnostic } from '../../src/manifest/index.js';

describe('formatDiagnostic', () => {
  it('prints file:line:col: severity: path: message (expected, found) — hint', () => {
    expect(
      formatDiagnostic({
        file: 'mint.yaml',
        line: 3,
        column: 7,
        path: 'experiments[0].status',
        severity: 'error',
        code: 'schema.enum',
        message: '`status` is not an allowed value',
        expected: 'one of `planned`, `ongoing`',
        found: '"done"',
        hint: 'did you mean `ongoing`?',
      }),
    ).toBe(
      'mint.yaml:3:7: error: experiments[0].status: `status` is not an allowed value (expected one of `planned`, `ongoing`, found "done") — did you mean `ongoing`?',
    );
    expect(
      formatDiagnostic({
        file: 'a.yaml',
        line: 1,
        column: 1,
        path: '',
        severity: 'warning',
        code: 'x',
        message: 'm',
      }),
    ).toBe('a.yaml:1:1: warning: m');
  });
});

describe('helpers', () => {
  it('formatJsonPath quotes keys that are not identifiers', () => {
    expect(formatJsonPath(['experiments', 2, 'design', 'data_file'])).toBe('experiments[2].design.data_file');
    expect(formatJsonPath(['tags', 'mint-manifest.stack'])).toBe('tags["mint-manifest.stack"]');
  });

  it('levenshtein counts a swap as one edit; nearest stays within 2', () => {
    expect(levenshtein('stauts', 'status')).toBe(1);
    expect(levenshtein('experimnt_type', 'experiment_type')).toBe(1);
    expect(levenshtein('abc', 'xyz')).toBe(3);
    expect(nearest('experiment-type', ['name', 'experiment_type'])).toBe('experiment_type');
    expect(nearest('colour', ['key', 'name'])).toBeUndefined();
  });

  it('dates: calendar-checked, date-time accepted, compared as instants', () => {
    expect(checkDate('2024-02-29')).toBeUndefined();
    expect(checkDate('2026-02-29')).toMatch(/no day 29/);
    expect(checkDate('2026-05-01T10:30:00+02:00')).toBeUndefined();
    expect(checkDate('2026-05-01T25:00:00Z')).toMatch(/time of day/);
    expect(checkDate('01/05/2026')).toMatch(/YYYY-MM-DD/);
    expect(compareDates('2026-05-01', '2026-05-01T00:00:00Z')).toBe(0);
    expect(compareDates('2026-04-30', '2026-05-01')).toBeLessThan(0);
  });
});
