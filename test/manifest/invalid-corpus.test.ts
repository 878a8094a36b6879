// Every invalid manifest in test/fixtures/invalid/ must fail with exactly the expected diagnostics,
// at the exact file:line:column, with the key words a person needs to fix it.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  formatDiagnostic,
  loadManifests,
  MAX_MANIFEST_BYTES,
  type Diagnostic,
} from '../../src/manifest/index.js';

const DIR = path.resolve(__dirname, '../fixtures/invalid');

interface Expected {
  file: string;
  line: number;
  column: number;
  code: string;
  /** Case-insensitive fragments of formatDiagnostic() output. */
  includes: string[];
}

interface Case {
  name: string;
  inputs: string[];
  expect: Expected[];
  maxFileBytes?: number;
  env?: NodeJS.ProcessEnv;
  allowEnv?: string[];
}

const e = (file: string, line: number, column: number, code: string, ...includes: string[]): Expected => ({
  file,
  line,
  column,
  code,
  includes,
});

/** One file, one expected problem. */
function one(file: string, line: number, column: number, code: string, ...includes: string[]): Case {
  return { name: file, inputs: [file], expect: [e(file, line, column, code, ...includes)] };
}

const STATUSES = ['`planned`', '`ongoing`', '`completed`', '`cancelled`'];

const cases: Case[] = [
  // Unclosed quotes and brackets are reported where they open, not where the parser gave up.
  one('yaml-syntax.yaml', 9, 11, 'yaml.syntax', 'flow list opened here is never closed', 'matching `]`'),
  one('unterminated-quote.yaml', 7, 12, 'yaml.syntax', 'quoted string opened here is never closed'),
  one('unterminated-brace.yaml', 7, 11, 'yaml.syntax', 'flow mapping opened here', 'matching `}`'),
  // A byte-order mark does not shift line-1 columns.
  one('bom-wrong-version.yaml', 1, 10, 'schema.const', 'unsupported manifest version', 'found 2'),
  one(
    'version-string.yaml',
    1,
    10,
    'schema.const',
    '`version` is a string',
    'found "1"',
    'write `version: 1` without quotes',
  ),
  one('duplicate-yaml-key.yaml', 11, 5, 'yaml.duplicate-key', 'duplicate key `name`'),
  one('tabs.yaml', 5, 1, 'yaml.tab', 'tabs', 'indent with spaces'),
  one('wrong-version.yaml', 1, 10, 'schema.const', 'unsupported manifest version', 'expected 1', 'found 2'),
  one(
    'missing-version.yaml',
    1,
    1,
    'schema.required',
    'missing required property `version`',
    'add `version: 1`',
  ),
  one('missing-stack.yaml', 1, 1, 'schema.required', 'missing required property `stack`'),
  one('bad-stack-pattern.yaml', 2, 8, 'schema.pattern', 'stack', 'lowercase letters', 'found "Demo_Lab"'),
  one(
    'unknown-top-level-key.yaml',
    3,
    1,
    'schema.additionalProperties',
    'unknown property `experimnts`',
    'did you mean `experiments`?',
  ),
  one(
    'unknown-experiment-field.yaml',
    9,
    5,
    'schema.additionalProperties',
    'experiments[0].experiment_typ',
    'did you mean `experiment_type`?',
  ),
  one(
    'unknown-defaults-key.yaml',
    4,
    3,
    'schema.additionalProperties',
    '`experiment-type`',
    'did you mean `experiment_type`?',
  ),
  one('bad-status.yaml', 11, 13, 'schema.enum', 'experiments[0].status', ...STATUSES, 'found "done"'),
  one('defaults-status-near-miss.yaml', 4, 11, 'schema.enum', 'defaults.status', 'did you mean `ongoing`?'),
  one('tags-not-map.yaml', 11, 11, 'schema.type', 'tags', 'expected a mapping', 'found a list'),
  one('empty-tag-name.yaml', 8, 7, 'schema.propertyNames', 'empty key in `tags`'),
  one('reserved-tag.yaml', 13, 7, 'tag.reserved', 'mint-manifest.stack', 'reserved'),
  one('reserved-tag-defaults.yaml', 4, 11, 'tag.reserved', 'defaults.tags', 'mint-manifest.key'),
  one(
    'duplicate-experiment-key.yaml',
    11,
    10,
    'experiment.duplicate-key',
    '`e1`',
    'first used at duplicate-experiment-key.yaml:7:10',
  ),
  {
    name: 'duplicate key across two files',
    inputs: ['duplicate-key-across-files'],
    expect: [
      e(
        'duplicate-key-across-files/b.yaml',
        7,
        10,
        'experiment.duplicate-key',
        '`shared`',
        'duplicate-key-across-files/a.yaml:4:10',
      ),
    ],
  },
  one('unknown-project.yaml', 10, 14, 'ref.unknown-project', '`p2`', 'did you mean `p1`?'),
  // Reported once at defaults.project, not once per experiment inheriting it.
  one(
    'defaults-unknown-project.yaml',
    7,
    12,
    'ref.unknown-project',
    'defaults.project',
    '`tca`',
    'expected one of `p1`',
  ),
  one('code-twice.yaml', 7, 11, 'experiment.duplicate-code', '`EXP-042`', 'code-twice.yaml:5:11'),
  one('missing-name.yaml', 4, 5, 'experiment.missing-name', '`e1`', 'has no `name`', '`code:`'),
  one(
    'missing-type.yaml',
    4,
    5,
    'experiment.missing-type',
    'no `experiment_type`',
    'defaults.experiment_type',
  ),
  one('empty-name.yaml', 5, 11, 'schema.minLength', '`name` must not be empty'),
  one('bad-date.yaml', 7, 17, 'value.date', 'start_date', 'found "2026-02-30"', 'has no day 30'),
  one('date-not-iso.yaml', 7, 15, 'value.date', 'end_date', 'YYYY-MM-DD', 'found "May 3rd"'),
  one('data-and-data-file.yaml', 10, 7, 'design.data-conflict', '`data` or `data_file`, not both'),
  one('design-no-data.yaml', 8, 7, 'design.data-conflict', 'neither `data` nor `data_file`'),
  one(
    'design-no-plugin.yaml',
    8,
    7,
    'schema.required',
    'design.plugin_id',
    'missing required property `plugin_id`',
  ),
  one(
    'data-file-missing.yaml',
    9,
    18,
    'file.not-found',
    '`data/nope.json` not found',
    "relative to the manifest's folder",
  ),
  one(
    'data-file-escape.yaml',
    9,
    18,
    'file.outside-workspace',
    '`../outside.json`',
    'leaves the workspace root',
  ),
  one('data-file-absolute.yaml', 9, 18, 'file.outside-workspace', '`/etc/hostname`', 'absolute path outside'),
  {
    name: 'data-file-invalid-json.yaml',
    inputs: ['data-file-invalid-json.yaml'],
    // Located inside the data file, with a pointer back to the manifest line naming it.
    expect: [
      e(
        'data/broken.json',
        4,
        19,
        'file.invalid-json',
        'invalid json: expected a property name in double quotes, found `}`',
        'data-file-invalid-json.yaml:9:18',
      ),
    ],
  },
  {
    name: 'result-file-invalid-yaml.yaml',
    inputs: ['result-file-invalid-yaml.yaml'],
    expect: [
      e('data/broken.yaml', 2, 8, 'file.yaml-syntax', 'flow list', 'result-file-invalid-yaml.yaml:9:22'),
      e('data/broken.yaml', 3, 10, 'file.yaml-syntax', 'flow mapping'),
    ],
  },
  {
    ...one(
      'data-file-too-large.yaml',
      9,
      18,
      'file.too-large',
      '`data/big.json`',
      '318 bytes',
      'over the 200 bytes limit',
    ),
    maxFileBytes: 200,
  },
  one(
    'unset-var.yaml',
    5,
    15,
    'interp.unset',
    '`MINT_VAR_UNSET_RUN_ID` is not set',
    '${MINT_VAR_UNSET_RUN_ID:-value}',
  ),
  one('bad-var-syntax.yaml', 5, 16, 'interp.syntax', 'invalid variable reference `${1BAD}`'),
  {
    // Set or not, a variable the workflow did not allow is refused, and its value never shown.
    ...one(
      'env-not-allowed.yaml',
      7,
      20,
      'interp.not-allowed',
      '`DEPLOY_KEY` may not be read',
      '--allow-env DEPLOY_KEY',
      'MINT_MANIFEST_ALLOW_ENV=DEPLOY_KEY',
      'allow-env: DEPLOY_KEY',
    ),
    env: { DEPLOY_KEY: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5SECRET' },
  },
  {
    ...one('env-credential.yaml', 7, 12, 'interp.credential', '`MINT_TOKEN`', 'can never be interpolated'),
    env: { MINT_TOKEN: 'mint_pat_corpusSecretValue' },
    allowEnv: ['MINT_TOKEN'],
  },
  {
    // Only the unset variables: no second "invalid date" / "not one of the statuses" for the raw text.
    name: 'unset-var-date.yaml',
    inputs: ['unset-var-date.yaml'],
    expect: [
      e('unset-var-date.yaml', 7, 17, 'interp.unset', '`MINT_VAR_UNSET_DATE` is not set'),
      e('unset-var-date.yaml', 8, 13, 'interp.unset', '`MINT_VAR_UNSET_STATUS` is not set'),
    ],
  },
  {
    name: 'interp-several.yaml: every failing ${…} in one string',
    inputs: ['interp-several.yaml'],
    expect: [
      e('interp-several.yaml', 5, 12, 'interp.unset', '`MINT_VAR_A_UNSET`'),
      e('interp-several.yaml', 5, 32, 'interp.unset', '`MINT_VAR_B_UNSET`'),
      e('interp-several.yaml', 5, 52, 'interp.syntax', '`${1BAD}`'),
    ],
  },
  // Refused at the alias where the expansion passes the limit (a6's first `*a5`, ~600,000 values each).
  one(
    'billion-laughs.yaml',
    16,
    18,
    'yaml.alias-limit',
    'aliases expand to more than 1,000,000 values',
    'billion laughs',
  ),
  one('custom-tag.yaml', 5, 11, 'yaml.custom-tag', 'unsupported yaml tag `!env`'),
  one('known-tag-binary.yaml', 7, 12, 'yaml.custom-tag', '`!!binary`'),
  one('multi-doc.yaml', 3, 1, 'yaml.multi-document', 'more than one yaml document', 'separate files'),
  one('unknown-alias.yaml', 5, 11, 'yaml.unknown-alias', '`*title`'),
  // At the unknown alias itself, not at the first (valid) alias in the file.
  one('unknown-alias-later.yaml', 12, 12, 'yaml.unknown-alias', '`*nope`', 'experiments[1].notes'),
  one('merge-not-mapping.yaml', 7, 9, 'yaml.merge-source', '`<<` merges mappings only'),
  one('complex-key.yaml', 4, 5, 'yaml.complex-key', 'plain value', 'found a list'),
  {
    name: 'design-schema-violation.yaml',
    inputs: ['design-schema-violation.yaml'],
    // Located inside the design file, not at the manifest line naming it.
    expect: [
      e(
        'data/bad-design.json',
        5,
        56,
        'design-schema.minimum',
        'samples[1].replicate',
        '>= 1',
        'found 0',
        '`lcms_batch`',
      ),
    ],
  },
  {
    name: 'inline-design-schema-violation.yaml',
    inputs: ['inline-design-schema-violation.yaml'],
    expect: [
      e(
        'inline-design-schema-violation.yaml',
        15,
        13,
        'design-schema.required',
        'samples[0].condition',
        'missing required property `condition`',
      ),
      e(
        'inline-design-schema-violation.yaml',
        15,
        23,
        'design-schema.additionalProperties',
        '`replicat`',
        'did you mean `replicate`?',
      ),
    ],
  },
  one(
    'schemas-file-missing.yaml',
    4,
    15,
    'file.not-found',
    'design schema `data/missing.schema.json` not found',
  ),
  one('schemas-file-empty.yaml', 4, 15, 'schemas.empty', 'design schema `data/empty.schema.json` is empty'),
  one(
    'analysis-without-plugin-id.yaml',
    8,
    9,
    'schema.required',
    'analysis[0].plugin_id',
    'missing required property',
  ),
  one(
    'duplicate-analysis-plugin.yaml',
    10,
    20,
    'analysis.duplicate-plugin',
    '`peak-qc`',
    'listed twice',
    ':8:20',
  ),
  one(
    'result-and-result-file.yaml',
    10,
    9,
    'analysis.result-conflict',
    '`result` or `result_file`, not both',
  ),
  one('project-no-name-or-id.yaml', 4, 5, 'project.missing-name-or-id', 'neither `name` nor `id`'),
  one(
    'project-id-string.yaml',
    5,
    9,
    'schema.type',
    'projects[0].id',
    'expected an integer',
    'found "twelve"',
  ),
  one('duplicate-project-key.yaml', 6, 10, 'project.duplicate-key', '`p1`', 'declared twice'),
  one('bad-key-pattern.yaml', 4, 10, 'schema.pattern', 'experiments[0].key', 'found "-bad key"'),
  one('missing-key.yaml', 4, 5, 'schema.required', 'missing required property `key`'),
  one(
    'schema-version-list.yaml',
    9,
    23,
    'schema.type',
    'schema_version',
    'expected a string',
    'found a list',
  ),
  one(
    'schema-version-number.yaml',
    9,
    23,
    'schema.type',
    'schema_version',
    'expected a string, found `1.0`',
    'quote it: `schema_version: "1.0"`',
  ),
  one(
    'duplicate-project-name.yaml',
    7,
    11,
    'project.duplicate-name',
    '`TCA flux` is declared twice',
    'key `tca` at duplicate-project-name.yaml:5:11',
  ),
  // Nothing is deleted unless the manifest says `null` in so many words.
  one(
    'result-file-null.yaml',
    9,
    9,
    'file.null-content',
    'result_file `data/null.json`',
    'to delete the result, write `result: null`',
  ),
  one(
    'data-file-tilde.yaml',
    9,
    7,
    'file.null-content',
    'data_file `data/tilde.yaml`',
    'to delete the design data, write `design: null`',
  ),
  one(
    'result-file-comments-only.yaml',
    9,
    9,
    'file.null-content',
    '`data/comments-only.yaml`',
    'write `result: null`',
  ),
  {
    name: 'design-empty.yaml',
    inputs: ['design-empty.yaml'],
    // e2's `design: ~` is an explicit deletion: no error there.
    expect: [
      e(
        'design-empty.yaml',
        7,
        5,
        'value.empty',
        '`design` is empty',
        'write `design: null` to delete the design data',
      ),
    ],
  },
  {
    name: 'result-empty.yaml',
    inputs: ['result-empty.yaml'],
    expect: [
      e('result-empty.yaml', 7, 5, 'value.empty', '`notes` is empty', 'write `notes: null`'),
      e(
        'result-empty.yaml',
        10,
        9,
        'value.empty',
        '`result` is empty',
        'write `result: null` to delete the result',
      ),
    ],
  },
  {
    name: 'empty-tag-value.yaml',
    inputs: ['empty-tag-value.yaml'],
    expect: [
      e('empty-tag-value.yaml', 7, 5, 'value.empty', '`start_date` is empty', 'write `start_date: null`'),
      e(
        'empty-tag-value.yaml',
        9,
        7,
        'value.empty',
        '`owner` is empty',
        'write `owner: null` to remove the tag',
      ),
    ],
  },
  // Values JSON cannot carry are errors at their line, never silently changed.
  {
    name: 'not-json-numbers.yaml',
    inputs: ['not-json-numbers.yaml'],
    expect: [
      e('not-json-numbers.yaml', 8, 14, 'yaml.number', '`.nan`', 'no nan', 'quote the value'),
      e('not-json-numbers.yaml', 9, 14, 'yaml.number', '`-.inf`', 'infinite'),
      e(
        'not-json-numbers.yaml',
        10,
        12,
        'yaml.number',
        '`9007199254740993`',
        'beyond ±2^53',
        '9007199254740992',
      ),
    ],
  },
  {
    name: 'data-file-big-int.yaml',
    inputs: ['data-file-big-int.yaml'],
    expect: [
      e('data/big-int.json', 3, 20, 'file.number', '`9007199254740993`', 'data-file-big-int.yaml:9:18'),
    ],
  },
  {
    name: 'result-file-nan.yaml',
    inputs: ['result-file-nan.yaml'],
    expect: [e('data/nan.yaml', 2, 8, 'file.yaml-number', 'score', '`.nan`', 'result-file-nan.yaml:9:22')],
  },
  // Data files: located inside the file, never quoting its content; BOM columns not shifted.
  {
    name: 'data-file-bom-broken.yaml',
    inputs: ['data-file-bom-broken.yaml'],
    expect: [e('data/bom-broken.json', 1, 9, 'file.invalid-json', 'expected a property name', 'found `,`')],
  },
  {
    name: 'data-file-unclosed-string.yaml',
    inputs: ['data-file-unclosed-string.yaml'],
    expect: [e('data/unclosed-string.json', 3, 12, 'file.invalid-json', 'string is not closed on its line')],
  },
  {
    name: 'data-file-unclosed-bracket.yaml',
    inputs: ['data-file-unclosed-bracket.yaml'],
    expect: [e('data/unclosed-bracket.json', 3, 14, 'file.invalid-json', '`[` is never closed')],
  },
  {
    name: 'data-file-deep-json.yaml',
    inputs: ['data-file-deep-json.yaml'],
    expect: [
      e(
        'data/deep.json',
        2,
        66,
        'file.too-deep',
        'nested more than 64 levels deep',
        'data-file-deep-json.yaml:9:18',
      ),
    ],
  },
  {
    name: 'data-file-deep-yaml.yaml',
    inputs: ['data-file-deep-yaml.yaml'],
    expect: [e('data/deep.yaml', 1, 73, 'file.yaml-too-deep', 'nested more than 64 levels deep')],
  },
  one(
    'deep-inline-data.yaml',
    74,
    137,
    'value.too-deep',
    'design.data.l0',
    'nested more than 64 levels deep',
  ),
  one('deep-manifest.yaml', 75, 139, 'yaml.too-deep', 'nested more than 69 levels deep'),
  one(
    'experiments-not-list.yaml',
    4,
    3,
    'schema.type',
    '`experiments`',
    'expected a list',
    'found a mapping',
  ),
  one('empty.yaml', 1, 1, 'manifest.empty', 'manifest is empty', '`version: 1`'),
  one('comments-only.yaml', 1, 1, 'manifest.empty', 'manifest is empty'),
  one(
    'root-list.yaml',
    1,
    1,
    'schema.type',
    'the manifest has the wrong type',
    'expected a mapping',
    'found a list',
  ),
  one('root-scalar.yaml', 1, 1, 'schema.type', 'expected a mapping'),
  {
    name: 'mixed stacks across two files',
    inputs: ['mixed-stacks/a.yaml', 'mixed-stacks/b.yaml'],
    expect: [
      e(
        'mixed-stacks/b.yaml',
        2,
        8,
        'stack.mixed',
        '`lab-b`',
        'expected `lab-a` (from mixed-stacks/a.yaml)',
        'each stack',
      ),
    ],
  },
  {
    name: 'several problems in one file are all reported in one run',
    inputs: ['several-errors.yaml'],
    expect: [
      e('several-errors.yaml', 7, 13, 'schema.enum', 'found "finished"'),
      e('several-errors.yaml', 9, 5, 'schema.additionalProperties', '`nmae`', 'did you mean `name`?'),
      e('several-errors.yaml', 11, 10, 'experiment.duplicate-key', '`e1`'),
      e('several-errors.yaml', 14, 14, 'ref.unknown-project', '`nowhere`'),
      e('several-errors.yaml', 15, 17, 'value.date', 'no month 13'),
    ],
  },
  {
    name: 'problems in two files are all reported in one run',
    inputs: ['errors-in-two-files'],
    expect: [
      e('errors-in-two-files/a.yaml', 4, 5, 'project.missing-name-or-id', '`p1`'),
      e('errors-in-two-files/a.yaml', 5, 5, 'schema.additionalProperties', '`nme`', 'did you mean `name`?'),
      e('errors-in-two-files/b.yaml', 7, 14, 'ref.unknown-project', '`p9`', 'did you mean `p1`?'),
      e('errors-in-two-files/b.yaml', 8, 13, 'schema.enum', 'found "Planned"', 'did you mean `planned`?'),
    ],
  },
];

function check(errors: Diagnostic[], expected: Expected[]): void {
  const shown = errors.map(formatDiagnostic);
  expect(
    errors.map((d) => `${d.file}:${d.line}:${d.column} ${d.code}`),
    shown.join('\n'),
  ).toEqual(expected.map((x) => `${x.file}:${x.line}:${x.column} ${x.code}`));
  expected.forEach((x, i) => {
    for (const word of x.includes) expect(shown[i].toLowerCase()).toContain(word.toLowerCase());
  });
}

describe('invalid manifest corpus', () => {
  it('has at least 40 invalid manifests, each covered by a case', () => {
    const onDisk = fs.readdirSync(DIR).filter((n) => n !== 'data');
    const covered = new Set(cases.flatMap((c) => c.inputs.map((i) => i.split('/')[0])));
    expect(onDisk.length).toBeGreaterThanOrEqual(40);
    expect(onDisk.filter((n) => !covered.has(n))).toEqual([]);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const result = await loadManifests(c.inputs, {
      cwd: DIR,
      // The fixtures live in this repository's work tree: confine them to their own folder.
      workspaceRoot: DIR,
      env: c.env ?? { HOME: '/nowhere' },
      allowEnv: c.allowEnv,
      ...(c.maxFileBytes !== undefined ? { maxFileBytes: c.maxFileBytes } : {}),
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    check(result.errors, c.expect);
    // A value that came from the environment is never echoed back.
    const shown = result.errors.map(formatDiagnostic).join('\n');
    for (const value of Object.values(c.env ?? {})) if (value) expect(shown).not.toContain(value);
  });
});

describe('data file errors never quote the file', () => {
  it.each(['data-file-unclosed-string.yaml', 'data-file-invalid-json.yaml', 'data-file-bom-broken.yaml'])(
    '%s',
    async (input) => {
      const result = await loadManifests([input], { cwd: DIR, env: {} });
      expect(result.ok).toBe(false);
      if (result.ok) return;
      const shown = result.errors.map(formatDiagnostic).join('\n');
      for (const content of ['secret-ish', 'QE', 'S1', '"b"']) expect(shown).not.toContain(content);
    },
  );
});

const VALID = path.resolve(__dirname, '../fixtures/valid');

describe('valid manifest corpus', () => {
  const load = async (file: string) => {
    const result = await loadManifests([file], { cwd: VALID, env: {} });
    if (!result.ok) throw new Error(result.errors.map(formatDiagnostic).join('\n'));
    return result.manifest;
  };

  it('every file in test/fixtures/valid loads without errors', async () => {
    const files = fs.readdirSync(VALID).filter((n) => n.endsWith('.yaml'));
    expect(files.length).toBeGreaterThanOrEqual(5);
    for (const f of files) await load(f);
  });

  it('merge keys `<<: *base` (single, list, nested) fill and are overridden', async () => {
    const [e1, e2, e3] = (await load('merge-keys.yaml')).experiments;
    expect(e1).toMatchObject({ experiment_type: 'lcms_batch', status: 'planned' });
    expect(e1.tags).toEqual({ lab: 'morscher', tracer: '13C-glucose' });
    expect(e2.status).toBe('ongoing');
    expect(e2.design).toMatchObject({
      plugin_id: 'lcms-sequence',
      schema_version: '1.0',
      data: { samples: 2 },
    });
    expect(e3).toMatchObject({ experiment_type: 'lcms_batch', notes: 'from the second source' });
    expect(e3.tags).toEqual({ lab: 'morscher', tracer: '13C-glucose', cell_line: 'HeLa' });
  });

  it('top-level `x-` keys are ignored, even values JSON cannot carry', async () => {
    const m = await load('x-keys.yaml');
    expect(m.experiments.map((x) => x.key)).toEqual(['e1']);
  });

  it('data nested exactly 64 levels deep is accepted (65 is refused: see the invalid corpus)', async () => {
    const [e1] = (await load('deep-64.yaml')).experiments;
    const depth = (v: unknown): number =>
      v !== null && typeof v === 'object' ? 1 + Math.max(0, ...Object.values(v).map(depth)) : 0;
    expect(depth(e1.design?.data)).toBe(64); // JSON file
    expect(depth(e1.analysis?.[0].result)).toBe(64); // YAML file
  });

  it('150 uses of a small anchor are fine (the guard measures size, not uses)', async () => {
    const m = await load('aliases-150.yaml');
    expect(m.experiments).toHaveLength(75);
    expect(m.experiments[74]).toMatchObject({ experiment_type: 'lcms_batch', tags: { lab: 'morscher' } });
  });

  it('a byte-order mark is accepted in manifests and in JSON and YAML data files', async () => {
    const [e1] = (await load('bom.yaml')).experiments;
    expect(e1.design?.data).toEqual({ samples: [{ id: 'S1' }] });
    expect(e1.analysis?.[0].result).toEqual({ passed: true });
  });

  it('only written `null` / `~` delete; integers up to ±2^53 and quoted text stay exact', async () => {
    const m = await load('explicit-nulls.yaml');
    expect(m.projects[0].description).toBeNull();
    const [e1, e2, e3] = m.experiments;
    expect(e1).toMatchObject({ notes: null, start_date: null, tags: { owner: null }, design: null });
    expect(e2.design).toBeNull();
    expect(e2.analysis?.map((a) => a.result)).toEqual([null, null]);
    expect(e3.tags).toEqual({ max: 2 ** 53, min: -(2 ** 53), quoted: '.nan' });
    expect(e3.design).toMatchObject({ schema_version: '2.0', data: { ok: 1e300 } });
  });
});

describe('invalid setups built at test time', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-invalid-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('rejects a data_file symlink that leads outside the workspace', async () => {
    const ws = path.join(tmp, 'ws');
    fs.mkdirSync(path.join(ws, 'designs'), { recursive: true });
    fs.writeFileSync(path.join(tmp, 'secret.json'), '{"secret": true}');
    fs.symlinkSync(path.join(tmp, 'secret.json'), path.join(ws, 'designs', 'link.json'));
    fs.writeFileSync(
      path.join(ws, 'mint.yaml'),
      'version: 1\nstack: lab\nexperiments:\n  - key: e1\n    name: One\n    experiment_type: t\n    design:\n      plugin_id: p\n      data_file: designs/link.json\n',
    );
    const result = await loadManifests(['mint.yaml'], { cwd: ws });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    check(result.errors, [
      e('mint.yaml', 9, 18, 'file.symlink-escape', '`designs/link.json`', 'symlink leading outside'),
    ]);
  });

  it('follows a symlink that stays inside the workspace', async () => {
    const ws = path.join(tmp, 'ws-inside');
    fs.mkdirSync(path.join(ws, 'designs'), { recursive: true });
    fs.writeFileSync(path.join(ws, 'designs', 'real.json'), '{"ok": true}');
    fs.symlinkSync(path.join(ws, 'designs', 'real.json'), path.join(ws, 'designs', 'link.json'));
    fs.writeFileSync(
      path.join(ws, 'mint.yaml'),
      'version: 1\nstack: lab\nexperiments:\n  - key: e1\n    name: One\n    experiment_type: t\n    design:\n      plugin_id: p\n      data_file: designs/link.json\n',
    );
    const result = await loadManifests(['mint.yaml'], { cwd: ws });
    expect(result.ok && result.manifest.experiments[0].design?.data).toEqual({ ok: true });
  });

  it('rejects an oversized manifest without reading it', async () => {
    const big = path.join(tmp, 'huge.yaml');
    fs.writeFileSync(big, 'version: 1\n');
    fs.truncateSync(big, MAX_MANIFEST_BYTES + 1); // sparse: costs no disk
    const result = await loadManifests(['huge.yaml'], { cwd: tmp });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    check(result.errors, [e('huge.yaml', 1, 1, 'manifest.too-large', 'over the 16 MiB limit', 'split it')]);
  });

  it('names an input that matches nothing', async () => {
    const result = await loadManifests(['nope.yaml', 'nothing/**/*.yaml'], { cwd: tmp });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((d) => d.code).sort()).toEqual(['input.no-match', 'input.not-found']);
  });
});
