// Fuzzing the loaders with a seeded generator (same inputs every run, bounded sizes and counts).
// Whatever the input: no throw, no "Maximum call stack size exceeded" (or any raw stack message),
// every diagnostic at a real line and column, the fast YAML reader steps aside whenever the `yaml`
// package finds a problem, and the JSON checker accepts exactly what JSON.parse reads unchanged.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatDiagnostic, loadManifests, type Diagnostic } from '../../src/manifest/index.js';
import { fastParseYaml } from '../../src/manifest/fast-yaml.js';
import { scanJson } from '../../src/manifest/json-scan.js';
import { MAX_MANIFEST_DEPTH, parseYaml } from '../../src/manifest/yaml-source.js';

/** mulberry32: small, fast, deterministic. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  return { next, int, pick };
}
type Rng = ReturnType<typeof rng>;

const BASE = [
  'version: 1',
  'stack: lab',
  'x-common: &common',
  '  experiment_type: lcms_batch',
  'experiments:',
  '  - key: e1',
  '    name: "One"',
  '    <<: *common',
  '    notes: ~',
  "    tags: { cell_line: 'HeLa', n: 3 }",
  '    design:',
  '      plugin_id: p',
  '      schema_version: "1.0"',
  '      data: [1, {a: b}, [c]]',
  '    analysis:',
  '      - plugin_id: q',
  '        result: {ok: true}',
].join('\n');

const PIECES = [
  '[',
  ']',
  '{',
  '}',
  '"',
  "'",
  ':',
  ': ',
  ',',
  '-',
  '- ',
  '#',
  '&a',
  '*a',
  '&b ',
  '*b',
  '<<: ',
  '!!str ',
  '!x ',
  '\t',
  '\r\n',
  '\n',
  '\n  ',
  '\n    ',
  '\ufeff',
  '.nan',
  '-.inf',
  '9007199254740993',
  '1e400',
  '0x1F',
  '~',
  'null',
  '${X}',
  '${',
  '$${X}',
  '|',
  '>',
  '---',
  '...',
  '?',
  '%YAML 1.2',
  '\\',
  '\\u00',
  'é',
  '\u2028',
  '\0',
];

/** Deep or explosive shapes that used to reach stack overflows or the old alias counter. */
function nasty(r: Rng): string {
  // Up to 1200 levels: past where `yaml` itself runs out of stack (about 800).
  const n = 50 + r.int(1200);
  switch (r.int(8)) {
    case 0:
      return `a: ${'['.repeat(n)}${']'.repeat(r.int(2) ? n : 0)}\n`;
    case 1:
      return `a: ${'{b: '.repeat(n)}1${'}'.repeat(n)}\n`;
    case 2:
      return `${'- '.repeat(n)}x\n`;
    case 3:
      return Array.from({ length: Math.min(n, 400) }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n') + ' 1\n';
    case 4: // a chain of aliases, each one level deeper: small text, deep value
      return Array.from({ length: n }, (_, i) =>
        i === 0 ? 'a0: &a0 [x]' : `a${i}: &a${i} [*a${i - 1}]`,
      ).join('\n');
    case 5: {
      // billion laughs with a random width and height
      const w = 2 + r.int(9);
      const lines = [`l0: &l0 [${Array(w).fill('lol').join(', ')}]`];
      for (let i = 1; i < 3 + r.int(12); i++)
        lines.push(
          `l${i}: &l${i} [${Array(w)
            .fill(`*l${i - 1}`)
            .join(', ')}]`,
        );
      return lines.join('\n');
    }
    case 6: // merges of merges
      return Array.from({ length: Math.min(n, 300) }, (_, i) =>
        i === 0 ? 'm0: &m0 {a: 1}' : `m${i}: &m${i} {<<: *m${i - 1}, k${i}: ${i}}`,
      ).join('\n');
    default:
      return `${'"'.repeat(r.int(3))}${'x'.repeat(n)}: ${'['.repeat(r.int(5))}\n`;
  }
}

function mutate(r: Rng, text: string): string {
  let t = text;
  for (let k = 1 + r.int(6); k > 0; k--) {
    const at = r.int(t.length + 1);
    const op = r.int(3);
    if (op === 0) t = t.slice(0, at) + r.pick(PIECES) + t.slice(at);
    else if (op === 1) t = t.slice(0, at) + t.slice(at + 1 + r.int(8));
    else t = t.slice(0, at) + r.pick(PIECES).repeat(1 + r.int(200)) + t.slice(at);
  }
  return t;
}

function checkDiagnostics(ds: readonly Diagnostic[], text: string, label: string): void {
  const lines = text.split('\n').length + 1;
  for (const d of ds) {
    const shown = formatDiagnostic(d);
    expect(shown, label).not.toMatch(/call stack|stack size|RangeError|at position \d+/i);
    if (d.file !== label) continue;
    expect(d.line, `${label}: ${shown}`).toBeGreaterThanOrEqual(1);
    expect(d.line, `${label}: ${shown}`).toBeLessThanOrEqual(lines);
    expect(d.column, `${label}: ${shown}`).toBeGreaterThanOrEqual(1);
  }
}

const ENV = { env: { MINT_VAR_X: 'x', X: 'x' }, allow: ['X'] };

describe('fuzzing the YAML reader', () => {
  const r = rng(0x5eed);
  const inputs: string[] = [];
  for (let i = 0; i < 250; i++) inputs.push(mutate(r, BASE));
  for (let i = 0; i < 40; i++) inputs.push(nasty(r));
  for (let i = 0; i < 20; i++) inputs.push(mutate(r, nasty(r)));

  it(`${inputs.length} inputs: no throw, located diagnostics, fast path steps aside on every problem`, () => {
    for (const [i, text] of inputs.entries()) {
      const label = `fuzz-${i}.yaml`;
      {
        const maxDepth = i % 2 === 0 ? 64 : MAX_MANIFEST_DEPTH;
        const slow = parseYaml(label, text, { interpolation: ENV, fast: false, maxDepth });
        checkDiagnostics(slow.diagnostics, text.replace(/^\ufeff/, ''), label);
        const fast = fastParseYaml(text.replace(/^\ufeff/, ''), ENV, maxDepth);
        if (slow.diagnostics.some((d) => d.severity === 'error') || slow.value === undefined) {
          expect(fast, `${label} (${JSON.stringify(text.slice(0, 80))}…)`).toBeUndefined();
        } else if (fast) {
          expect(fast.value, label).toEqual(slow.value);
        }
      }
    }
  }, 120_000);
});

describe('fuzzing the JSON checker', () => {
  const r = rng(0x15);
  const json = JSON.stringify(
    { a: [1, -2.5e3, 'x\u00e9\\"', { b: null, c: true }], d: {}, e: [] },
    null,
    r.int(2) * 2,
  );
  const JSON_PIECES = [
    '{',
    '}',
    '[',
    ']',
    ',',
    ':',
    '"',
    '\\',
    '\\u12',
    '-',
    '0',
    '01',
    '1e',
    '.5',
    'tru',
    'null',
    ' ',
    '\n',
    '\t',
    '\u0001',
    '9007199254740993',
    '1e400',
  ];

  it('accepts exactly what JSON.parse reads unchanged, and never recurses', () => {
    for (let i = 0; i < 2000; i++) {
      let t = json;
      for (let k = 1 + r.int(4); k > 0; k--) {
        const at = r.int(t.length + 1);
        t = r.int(2)
          ? t.slice(0, at) + r.pick(JSON_PIECES) + t.slice(at)
          : t.slice(0, at) + t.slice(at + 1 + r.int(4));
      }
      const problem = scanJson(t, 64);
      let parsed = true;
      try {
        JSON.parse(t);
      } catch {
        parsed = false;
      }
      if (problem === undefined) expect(parsed, JSON.stringify(t)).toBe(true);
      else if (problem.code === 'invalid-json') expect(parsed, JSON.stringify(t)).toBe(false);
      else expect(parsed, JSON.stringify(t)).toBe(true); // depth or number: valid JSON we refuse on purpose
      if (problem) expect(problem.offset).toBeLessThanOrEqual(t.length);
    }
  });

  it('deep input of any size is a depth error, not a stack overflow', () => {
    const n = 2_000_000;
    expect(scanJson('['.repeat(n) + ']'.repeat(n), 64)).toMatchObject({ code: 'too-deep', offset: 64 });
    expect(scanJson('{"a":'.repeat(n), 64)).toMatchObject({ code: 'too-deep', offset: 64 * 5 });
  });
});

describe('fuzzing loadManifests with data files', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-fuzz-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const r = rng(0xda7a);

  it('manifests and JSON/YAML data files: every outcome is a located result', async () => {
    for (let i = 0; i < 40; i++) {
      const dir = path.join(tmp, `case-${i}`);
      fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
      const dataJson =
        r.int(3) === 0 ? nasty(r) : mutate(r, '{"samples": [{"id": "S1", "n": 2}], "ok": true}');
      const dataYaml = r.int(2) === 0 ? nasty(r) : mutate(r, 'samples:\n  - id: S1\n    n: 2\nok: true\n');
      fs.writeFileSync(path.join(dir, 'data/d.json'), dataJson);
      fs.writeFileSync(path.join(dir, 'data/r.yaml'), dataYaml);
      const manifest =
        'version: 1\nstack: lab\nexperiments:\n  - key: e1\n    name: One\n    experiment_type: t\n' +
        '    design:\n      plugin_id: p\n      data_file: data/d.json\n' +
        '    analysis:\n      - plugin_id: q\n        result_file: data/r.yaml\n';
      fs.writeFileSync(path.join(dir, 'mint.yaml'), r.int(3) === 0 ? mutate(r, manifest) : manifest);
      const result = await loadManifests(['mint.yaml'], { cwd: dir, env: {} });
      if (result.ok) continue;
      expect(result.errors.length).toBeGreaterThan(0);
      for (const [file, text] of [
        ['mint.yaml', fs.readFileSync(path.join(dir, 'mint.yaml'), 'utf8')],
        ['data/d.json', dataJson],
        ['data/r.yaml', dataYaml],
      ] as const) {
        checkDiagnostics(
          result.errors.filter((d) => d.file === file),
          text.replace(/^\ufeff/, ''),
          file,
        );
      }
    }
  }, 120_000);
});
