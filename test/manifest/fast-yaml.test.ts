// The fast reader must agree with the `yaml` package on every value and every location, and must
// step aside (return undefined) on anything `yaml` reports a problem with.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PathSegment } from '../../src/manifest/diagnostics.js';
import { FastSource } from '../../src/manifest/fast-source.js';
import { fastParseYaml } from '../../src/manifest/fast-yaml.js';
import { parseYaml, type ManifestSource } from '../../src/manifest/yaml-source.js';
import { generateManifestYaml } from '../fixtures/generate.js';

const ROOT = path.resolve(__dirname, '../..');
const ENV = { env: { RUN: '42', EMPTY: '' }, allow: ['RUN', 'EMPTY'] };

function yamlFilesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) return yamlFilesUnder(p);
    return /\.ya?ml$/.test(d.name) ? [p] : [];
  });
}

const SNIPPETS: Record<string, string> = {
  scalars:
    'a: 0o17\nb: 0x1F\nc: +5\nf: 1e3\ng: 1.\nh: .5\ni: ~\nj: Null\nk: TRUE\nl: yes\nm: 2026-05-01\n' +
    'n: -7\no: 1_000\np: 0.10\nq: False\nr: null\ns: http://example.org/a?b=c\nt: a#b\nu: a # comment\nv: -bad key\nw: x[1], y{2}\n',
  quoting:
    'a: "double \\"quoted\\" \\u00e9"\nb: \'it\'\'s\'\nc: "plain"   # c\nd: ""\ne: \'\'\nf: "with: colon"\ng: "\\x41"\n',
  'quoted keys': '"a b": 1\n\'c\': 2\nd.e/f-g_h: 3\n',
  // keys found without building their text must match exactly the keys built the long way
  'escaped and odd keys':
    '"a\\"b": 1\n\'it\'\'s\': 2\n"\\x41": 3\n"": 4\n1.0: 5\n0x1f: 6\ntrue: 7\nnullish: 8\n' +
    'm: {"k\\tq": 1, \'s\': 2, "x": 3, 10: 4}\n',
  flow: 'a: [1, "x", {b: c, d: [true, null]}]\nb: {"k":"v","n":[1,2.5,-3]}\nc: []\nd: {}\ne: [a, b, ]\nf: { x: 1, y: two words }\n',
  nesting:
    'top:\n  list:\n  - a\n  - key: 1\n    more:\n      - x\n      - y\n  after: 2\nempty:\nnext: [1]\n# trailing comment\n',
  'empty list item': 'top:\n  more:\n    - x\n    -\n  after: 2\n',
  'seq at root': '- a\n- b: 1\n  c: 2\n-\n  - nested\n',
  interpolation: 'a: ${RUN}\nb: "x-${RUN}"\nc: [${RUN}, "${EMPTY:-d}"]\n${RUN}: keys stay\nd: $${RUN}\n',
  comments: '# head\nversion: 1 # tail\n\n  # indented comment\nstack: lab\n',
  'empty values': 'a:\nb: ~\nc: null\nd:   # comment\ne: ""\nf:\n  # g: commented out\nh: [1]\n',
  'big numbers': 'a: 9007199254740992\nb: -9007199254740992\nc: 1e300\nd: 123456789012345\n',
  // Each of these needs the full parser (or is an error there): the fast reader must step aside.
  'not JSON numbers': 'd: -.inf\ne: .NaN\nf: 9007199254740993\ng: -0x20000000000001\nh: 1e400\n',
  'merge key': 'x-base: &b {a: 1, b: 2}\nc:\n  <<: *b\n  b: 3\n',
  'inline merge key': 'c:\n  <<: {a: 1, b: 2}\n  b: 3\nd:\n  <<: [{a: 1}, {a: 2, z: 0}]\n',
  'x- keys': 'x-anchors:\n  tags: &t {lab: x}\nversion: 1\ntags: *t\n',
  bom: '\ufeffa: 1\nb: [1, 2]\n',
  'deep flow': `a: ${'['.repeat(70)}${']'.repeat(70)}\n`,
  'deep block': Array.from({ length: 70 }, (_, i) => `${'  '.repeat(i)}k${i}:`).join('\n') + ' 1\n',
  anchors: 'a: &x 1\nb: *x\n',
  tags: 'a: !!str 1\n',
  'block scalar': 'a: |\n  text\n',
  'multi-line plain': 'a: one\n  two\n',
  'duplicate key': 'a: 1\na: 2\n',
  'duplicate flow key': 'a: {b: 1, b: 2}\n',
  tabs: 'a:\n\tb: 1\n',
  'multi-doc': 'a: 1\n---\nb: 2\n',
  'doc start': '---\na: 1\n',
  'unclosed flow': 'a: [1, 2\n',
  'nested compact': 'a: b: c\n',
  'seq in map': 'a: 1\n- b\n',
  'bad indent': 'a:\n    b: 1\n  c: 2\n',
  'numeric key': '1: a\n',
  'empty flow value': 'a: {b: }\n',
  'unterminated quote': 'a: "x\n',
  'flow pair in list': 'a: [b: 1]\n',
  scalar: 'just text\n',
  crlf: 'a: 1\r\nb: 2\r\n',
  proto: '__proto__: 1\n',
  'yaml escape': 'a: "\\x41\\e"\n',
};

const GENERATED: Record<string, string> = {
  'generated, YAML payloads': generateManifestYaml(30),
  'generated, JSON payloads': generateManifestYaml(30, { jsonPayloads: true }),
};

function texts(): [string, string][] {
  const files = [
    ...yamlFilesUnder(path.join(ROOT, 'test/fixtures')),
    ...fs
      .readdirSync(path.join(ROOT, 'examples'))
      .filter((n) => /\.ya?ml$/.test(n))
      .map((n) => path.join(ROOT, 'examples', n)),
    path.join(ROOT, 'examples/results/gradient-scout-qc.yaml'),
  ];
  return [
    ...files.map((f) => [path.relative(ROOT, f), fs.readFileSync(f, 'utf8')] as [string, string]),
    ...Object.entries(SNIPPETS),
    ...Object.entries(GENERATED),
  ];
}

/** Every path in a value, containers and leaves, plus a missing child under each container. */
function allPaths(v: unknown, at: PathSegment[] = [], out: PathSegment[][] = []): PathSegment[][] {
  out.push(at);
  if (Array.isArray(v)) {
    v.forEach((x, i) => allPaths(x, [...at, i], out));
    out.push([...at, v.length]);
  } else if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) allPaths(x, [...at, k], out);
    out.push([...at, 'no-such-key']);
  }
  return out;
}

describe('fast YAML reader agrees with the yaml package', () => {
  it.each(texts())('%s', (_name, text) => {
    const slow = parseYaml('f.yaml', text, { interpolation: ENV, fast: false });
    const fast = fastParseYaml(text, ENV);
    if (slow.diagnostics.length > 0 || slow.value === undefined) {
      expect(fast, 'must leave problem input to the yaml package').toBeUndefined();
      return;
    }
    if (!fast) return; // stepping aside is always allowed
    expect(fast.value).toEqual(slow.value);
    const fastSource: ManifestSource = new FastSource('f.yaml', text, fast.root);
    const valueAt = (p: PathSegment[]) =>
      p.reduce<unknown>(
        (v, k) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined),
        slow.value,
      );
    for (const p of allPaths(slow.value)) {
      expect(fastSource.locate(p, 'value'), `value of ${JSON.stringify(p)}`).toEqual(
        slow.source.locate(p, 'value'),
      );
      expect(fastSource.locate(p, 'key'), `key of ${JSON.stringify(p)}`).toEqual(
        slow.source.locate(p, 'key'),
      );
      // Source text tells `1.0` from `1` and an empty value from a written `null` (only that deletes).
      if (typeof valueAt(p) === 'number' || valueAt(p) === null) {
        expect(fastSource.sourceText(p), `source of ${JSON.stringify(p)}`).toEqual(slow.source.sourceText(p));
      }
    }
  });

  it('takes the fast path for the usual shapes (else big manifests get slow again)', () => {
    for (const text of [
      fs.readFileSync(path.join(ROOT, 'examples/mint.yaml'), 'utf8'),
      ...Object.values(GENERATED),
      SNIPPETS.scalars,
      SNIPPETS.flow,
      SNIPPETS.nesting,
    ]) {
      expect(fastParseYaml(text, ENV)).toBeDefined();
    }
  });
});

describe('fast YAML reader memory', () => {
  it('returns values that do not keep the whole file text alive (V8 slices keep their parent)', async () => {
    const v8 = await import('node:v8');
    const vm = await import('node:vm');
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    // 20 MB of comment around a few long values: a slice of a value would pin all of it.
    const pad = `# ${'x'.repeat(1_000_000)}\n`;
    const build = () =>
      `${pad.repeat(10)}name: A fairly long experiment name\nplugin: lcms-sequence-plugin\n${pad.repeat(10)}`;
    gc();
    const before = process.memoryUsage().heapUsed;
    const kept: unknown[] = [];
    for (let i = 0; i < 3; i++) {
      const parsed = fastParseYaml(build());
      expect(parsed).toBeDefined();
      kept.push(parsed!.value);
    }
    gc();
    const retainedMb = (process.memoryUsage().heapUsed - before) / 1e6;
    expect((kept[0] as { name: string }).name).toBe('A fairly long experiment name');
    expect(retainedMb).toBeLessThan(10); // three 20 MB texts when values are slices of them
  });

  it('shares one string among repeated values (wells, plugin ids) instead of one copy each', async () => {
    const v8 = await import('node:v8');
    const vm = await import('node:vm');
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const items = (value: (i: number) => string) =>
      `wells:\n${Array.from({ length: 300_000 }, (_, i) => `  - ${value(i)}\n`).join('')}`;
    const retainedMb = (text: string): number => {
      gc();
      const before = process.memoryUsage().heapUsed;
      const value = fastParseYaml(text)?.value as { wells: string[] }; // positions dropped
      gc();
      expect(value.wells).toHaveLength(300_000);
      return (process.memoryUsage().heapUsed - before) / 1e6;
    };
    const repeated = retainedMb(items(() => 'wB120'));
    const distinct = retainedMb(items((i) => `w${i.toString(36).padStart(4, '0')}`));
    // 300,000 separate five-character strings are about 7 MB; one shared string is nothing
    expect(distinct - repeated).toBeGreaterThan(4);
  });

  it('keeps the positions of a big manifest off the JS heap (typed arrays, not an object per node)', async () => {
    const v8 = await import('node:v8');
    const vm = await import('node:vm');
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    // 300,000 nodes: an object (and a list of children) per node was about 100 bytes a node
    const text = `items:\n${Array.from({ length: 50_000 }, (_, i) => `  - {a: ${i}, b: x}\n`).join('')}`;
    gc();
    const before = process.memoryUsage().heapUsed;
    const parsed = fastParseYaml(text);
    gc();
    const heldMb = (process.memoryUsage().heapUsed - before) / 1e6;
    expect(parsed).toBeDefined();
    expect(new FastSource('f.yaml', text, parsed!.root).locate(['items', 49_999, 'b']).line).toBe(50_001);
    expect((parsed!.value as { items: unknown[] }).items).toHaveLength(50_000);
    // values and positions: about 4 MB with typed arrays; an object per node held about 30 MB
    expect(heldMb).toBeLessThan(10);
  });

  it('keeps lists at their size (js-yaml reserves 17 slots for a one-item list)', async () => {
    const v8 = await import('node:v8');
    const vm = await import('node:vm');
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const text = `lists:\n${'  - [x]\n'.repeat(100_000)}`;
    gc();
    const before = process.memoryUsage().heapUsed;
    const value = fastParseYaml(text)?.value as { lists: string[][] }; // positions dropped
    gc();
    const retainedMb = (process.memoryUsage().heapUsed - before) / 1e6;
    expect(value.lists[99_999]).toEqual(['x']);
    // measured 24 MB with exact lists, 37 MB with 17 slots each (8 bytes a slot, 100,000 lists)
    expect(retainedMb).toBeLessThan(30);
  });
});
