// `schemas:` — design data checked against per-type JSON Schemas, errors located where the data is.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDiagnostic, loadManifests, type LoadResult } from '../../src/manifest/index.js';

let ws: string;
beforeAll(() => {
  ws = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-design-'));
  // A sample is either a blank or a measured sample; ajv reports both branches when neither fits.
  fs.writeFileSync(
    path.join(ws, 'sample.schema.json'),
    JSON.stringify({
      type: 'object',
      required: ['samples'],
      properties: {
        samples: {
          type: 'array',
          items: {
            anyOf: [
              { type: 'object', required: ['blank'], properties: { blank: { const: true } } },
              {
                type: 'object',
                required: ['id', 'volume_ul'],
                additionalProperties: false,
                properties: { id: { type: 'string' }, volume_ul: { type: 'number' } },
              },
            ],
          },
        },
      },
    }),
  );
  fs.writeFileSync(
    path.join(ws, 'draft7.schema.json'),
    JSON.stringify({
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      required: ['plate'],
    }),
  );
  fs.writeFileSync(path.join(ws, 'broken.schema.json'), JSON.stringify({ type: 'no-such-type' }));
});
afterAll(() => fs.rmSync(ws, { recursive: true, force: true }));

function manifest(schemas: string, data: string, type = 'lcms'): string {
  return `version: 1\nstack: lab\nschemas:\n${schemas}\nexperiments:\n  - key: e1\n    name: One\n    experiment_type: ${type}\n    design:\n      plugin_id: p\n      data:\n${data}`;
}

async function load(text: string, designCheckMs?: number): Promise<LoadResult> {
  fs.writeFileSync(path.join(ws, 'mint.yaml'), text);
  return loadManifests(['mint.yaml'], { cwd: ws, designCheckMs });
}

describe('design schemas', () => {
  it('accepts data that fits, and ignores types without a schema', async () => {
    const r = await load(
      manifest(
        '  lcms: sample.schema.json',
        '        samples:\n          - { blank: true }\n          - { id: S1, volume_ul: 5 }\n',
      ),
    );
    expect(r.ok).toBe(true);
    const other = await load(
      manifest('  lcms: sample.schema.json', '        anything: goes\n', 'other_type'),
    );
    expect(other.ok).toBe(true);
  });

  it('reports one located error from the best anyOf branch, not the whole cascade', async () => {
    const r = await load(
      manifest('  lcms: sample.schema.json', '        samples:\n          - { id: S1, volume: 5 }\n'),
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const shown = r.errors.map(formatDiagnostic);
    expect(shown, shown.join('\n')).toHaveLength(2);
    expect(r.errors.map((d) => `${d.line}:${d.column} ${d.code}`)).toEqual([
      '13:13 design-schema.required',
      '13:23 design-schema.additionalProperties',
    ]);
    expect(shown[1]).toContain('unknown property `volume`');
    expect(shown[1]).toContain('did you mean `volume_ul`?');
    expect(shown[1]).toContain('design schema for `lcms`');
  });

  it('honours a draft-07 $schema', async () => {
    const r = await load(manifest('  lcms: draft7.schema.json', '        wells: 96\n'));
    expect(r.ok || r.errors.map((d) => `${d.line}:${d.column} ${d.code}`)).toEqual([
      '12:9 design-schema.required',
    ]);
  });

  it('says so when the schema file is not a usable schema, at the `schemas:` line', async () => {
    const r = await load(manifest('  lcms: broken.schema.json', '        a: 1\n'));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((d) => `${d.line}:${d.column} ${d.code}`)).toEqual(['4:9 schemas.invalid']);
    expect(formatDiagnostic(r.errors[0])).toContain('not a usable JSON Schema');
  });
});

// A pull request's author writes the schemas and the data: no pattern may hold a run for hours.
describe('design checks under a deadline', () => {
  beforeAll(() => {
    // `^(a+)+$` backtracks exponentially in JavaScript: 40 a's and a `!` would take hours
    fs.writeFileSync(
      path.join(ws, 'redos.schema.json'),
      JSON.stringify({
        type: 'object',
        properties: {
          code: { type: 'string', pattern: '^(a+)+$' },
          site: { type: 'string', pattern: '^(?!tmp)[a-z]+$' },
        },
      }),
    );
  });

  function twoExperiments(first: string, second: string): string {
    return [
      'version: 1',
      'stack: lab',
      'schemas:',
      '  lcms: redos.schema.json',
      'experiments:',
      ...[first, second].flatMap((data, i) => [
        `  - key: e${i + 1}`,
        `    name: E${i + 1}`,
        '    experiment_type: lcms',
        '    design:',
        '      plugin_id: p',
        `      data: ${data}`,
      ]),
      '',
    ].join('\n');
  }

  it('stops a catastrophic pattern at the deadline and names the design data it was checking', async () => {
    const hostile = `{ code: "${'a'.repeat(40)}!" }`;
    const r = await load(twoExperiments('{ site: tmpfiles }', hostile), 300);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((d) => `${d.line}:${d.column} ${d.code}`)).toEqual([
      '11:21 design-schema.pattern', // the lookahead keeps its JavaScript meaning
      '17:13 design-schema.timeout',
    ]);
    const shown = formatDiagnostic(r.errors[1]);
    expect(shown).toContain('took longer than 0.3 s, so it was stopped');
    expect(shown).toContain('MINT_DESIGN_CHECK_TIMEOUT');
  });

  it('passes data that fits, with the same patterns', async () => {
    const r = await load(twoExperiments('{ site: lab }', '{ code: aaaa }'), 300);
    expect(r.ok || r.errors.map(formatDiagnostic)).toBe(true);
  });

  it('a schema that recurses forever fails its own design data, located; the others are still checked', async () => {
    fs.writeFileSync(path.join(ws, 'loop.schema.json'), JSON.stringify({ anyOf: [{ $ref: '#' }] }));
    const r = await load(
      manifest('  lcms: loop.schema.json\n  other: sample.schema.json', '        a: 1\n').replace(
        'experiments:\n',
        'experiments:\n  - key: e0\n    name: Zero\n    experiment_type: other\n    design:\n      plugin_id: p\n      data: { samples: [{ id: 1 }] }\n',
      ),
      5000,
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((d) => `${d.line}:${d.column} ${d.code}`)).toEqual([
      '12:25 design-schema.required',
      '12:31 design-schema.type',
      '19:9 design-schema.failed',
    ]);
    expect(formatDiagnostic(r.errors[2])).toContain('Maximum call stack size exceeded');
  });

  it('keeps at most 100 errors of one design data, and says how many more there are', async () => {
    fs.writeFileSync(
      path.join(ws, 'strings.schema.json'),
      JSON.stringify({ type: 'object', properties: { s: { type: 'array', items: { type: 'string' } } } }),
    );
    const many = Array.from({ length: 250 }, (_, i) => i).join(', ');
    const r = await load(manifest('  lcms: strings.schema.json', `        s: [${many}]\n`), 5000);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.filter((d) => d.code === 'design-schema.type')).toHaveLength(100);
    const more = r.errors.find((d) => d.code === 'design-schema.more');
    expect(more && formatDiagnostic(more)).toContain('in 150 more places than shown');
  });

  it('stops compiling a schema that takes too long, at its `schemas:` line', async () => {
    const properties = Object.fromEntries(
      Array.from({ length: 3000 }, (_, i) => [`p${i}`, { type: 'string', pattern: `^x${i}$` }]),
    );
    fs.writeFileSync(path.join(ws, 'big.schema.json'), JSON.stringify({ type: 'object', properties }));
    const r = await load(manifest('  lcms: big.schema.json', '        a: 1\n'), 1);
    expect(r.ok || r.errors.map((d) => `${d.line}:${d.column} ${d.code}`)).toEqual(['4:9 schemas.timeout']);
  });

  it('takes any MINT_DESIGN_CHECK_TIMEOUT above zero, however small or large', async () => {
    for (const seconds of ['0.0004', '5000000']) {
      process.env.MINT_DESIGN_CHECK_TIMEOUT = seconds;
      try {
        // 0.4 ms is taken as 1 ms and runs out: a located timeout, not a crash of the load
        const r = await load(twoExperiments('{ site: lab }', '{ code: a }'));
        const codes = r.ok ? [] : r.errors.map((d) => d.code);
        expect(
          codes.every((c) => c.endsWith('.timeout')),
          codes.join(),
        ).toBe(true);
        if (seconds === '5000000') expect(r.ok).toBe(true);
      } finally {
        delete process.env.MINT_DESIGN_CHECK_TIMEOUT;
      }
    }
  });

  it('refuses a MINT_DESIGN_CHECK_TIMEOUT that is not a positive number of seconds', async () => {
    process.env.MINT_DESIGN_CHECK_TIMEOUT = 'soon';
    try {
      await expect(load(twoExperiments('{ site: lab }', '{ code: a }'))).rejects.toThrow(
        'MINT_DESIGN_CHECK_TIMEOUT must be a positive number of seconds, got "soon"',
      );
    } finally {
      delete process.env.MINT_DESIGN_CHECK_TIMEOUT;
    }
  });
});
