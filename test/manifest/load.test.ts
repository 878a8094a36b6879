// loadManifests on valid input: what a correct manifest resolves to, and the options that shape it.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  formatDiagnostic,
  loadManifests,
  type LoadResult,
  type ResolvedManifest,
} from '../../src/manifest/index.js';
import { generateManifestYaml } from '../fixtures/generate.js';

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-load-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function write(rel: string, text: string): string {
  const abs = path.join(tmp, rel);
  fs.mkdirSync(path.dirname(abs), { recursive: true });
  fs.writeFileSync(abs, text);
  return abs;
}

function ok(result: LoadResult): ResolvedManifest {
  if (!result.ok) throw new Error(result.errors.map(formatDiagnostic).join('\n'));
  return result.manifest;
}

const HEAD = 'version: 1\nstack: lab\n';

describe('interpolation', () => {
  it('fills ${VAR} and ${VAR:-default}, keeps $${ literal, never touches keys', async () => {
    write(
      'interp/mint.yaml',
      HEAD +
        'experiments:\n  - key: run-1\n    name: "Run ${RUN_ID} of ${BRANCH:-main}"\n    experiment_type: t\n' +
        '    notes: "cost $5, literal $${NOT_A_VAR}"\n    tags:\n      ${KEY_NOT_INTERPOLATED}: "${SHA}"\n',
    );
    const m = ok(
      await loadManifests(['interp/mint.yaml'], {
        cwd: tmp,
        env: { RUN_ID: '42', SHA: 'abc123', BRANCH: '' },
        allowEnv: ['RUN_ID', 'SHA', 'BRANCH'],
      }),
    );
    const e = m.experiments[0];
    expect(e.name).toBe('Run 42 of main');
    expect(e.notes).toBe('cost $5, literal ${NOT_A_VAR}');
    expect(e.tags).toEqual({ '${KEY_NOT_INTERPOLATED}': 'abc123' });
  });

  it('reads process.env when no env is given', async () => {
    write(
      'interp2/mint.yaml',
      HEAD + 'experiments:\n  - key: a\n    name: ${MINT_VAR_LOAD_TEST_NAME}\n    experiment_type: t\n',
    );
    process.env.MINT_VAR_LOAD_TEST_NAME = 'from-process';
    try {
      const m = ok(await loadManifests(['interp2/mint.yaml'], { cwd: tmp }));
      expect(m.experiments[0].name).toBe('from-process');
    } finally {
      delete process.env.MINT_VAR_LOAD_TEST_NAME;
    }
  });
  it('supports a nested default: ${X:-${Y}}', async () => {
    write(
      'interp3/mint.yaml',
      HEAD +
        'experiments:\n  - key: a\n    name: "run ${MINT_VAR_NAME:-${GITHUB_RUN_ID:-local}}"\n    experiment_type: t\n' +
        '    notes: ${MINT_VAR_NOTES:-${MINT_VAR_NONE:-none}}\n',
    );
    const m = ok(await loadManifests(['interp3/mint.yaml'], { cwd: tmp, env: { GITHUB_RUN_ID: '7' } }));
    expect(m.experiments[0].name).toBe('run 7');
    expect(m.experiments[0].notes).toBe('none');
  });

  it('reads only what the workflow allows; allowEnv names and globs widen it; credentials never', async () => {
    write(
      'interp4/mint.yaml',
      HEAD +
        'experiments:\n  - key: a\n    name: "${LAB_RUN}/${MINT_VAR_X}"\n    experiment_type: t\n    notes: ${GITHUB_TOKEN}\n',
    );
    const env = { LAB_RUN: 'r1', MINT_VAR_X: 'x', GITHUB_TOKEN: 'ghs_loadTestSecret' };
    const r = await loadManifests(['interp4/mint.yaml'], { cwd: tmp, env, allowEnv: ['LAB_*', 'GITHUB_*'] });
    expect(r.ok || r.errors.map((d) => `${d.line}:${d.column} ${d.code}`)).toEqual([
      '7:12 interp.credential',
    ]);
    const denied = await loadManifests(['interp4/mint.yaml'], { cwd: tmp, env });
    expect(denied.ok || denied.errors.map((d) => `${d.line}:${d.column} ${d.code}`)).toEqual([
      '5:12 interp.not-allowed',
      '7:12 interp.credential',
    ]);
    const masked = await loadManifests(['interp4/mint.yaml'], {
      cwd: tmp,
      env: { ...env, LAB_RUN: 'lab-secret-1' },
      allowEnv: ['LAB_*'],
      deniedValues: ['lab-secret-1', 'x'],
    });
    // A masked value is refused under any name; values under 4 characters (`x`) never count as secrets.
    expect(masked.ok || masked.errors.map((d) => `${d.column} ${d.code}`)).toEqual([
      '12 interp.secret-value',
      '12 interp.credential',
    ]);
    expect(masked.ok || masked.errors.map(formatDiagnostic).join('\n')).not.toContain('lab-secret-1');
  });
});

describe('workspace root', () => {
  const designAt = (ref: string) =>
    HEAD +
    `experiments:\n  - key: a\n    name: A\n    experiment_type: t\n    design:\n      plugin_id: p\n      data_file: ${ref}\n`;

  it('is the manifest folder outside git: a manifest run from a sibling folder finds designs/x.json', async () => {
    write('plain/lab/mint.yaml', designAt('designs/x.json'));
    write('plain/lab/designs/x.json', '{"x": 1}');
    write('plain/lab/escape.yaml', designAt('../shared/x.json'));
    write('plain/shared/x.json', '{"shared": 1}');
    fs.mkdirSync(path.join(tmp, 'plain/other'), { recursive: true });
    const cwd = path.join(tmp, 'plain/other');
    const m = ok(await loadManifests(['../lab/mint.yaml'], { cwd }));
    expect(m.experiments[0].design?.data).toEqual({ x: 1 });
    const escape = await loadManifests(['../lab/escape.yaml'], { cwd });
    expect(escape.ok || escape.errors.map((d) => d.code)).toEqual(['file.outside-workspace']);
  });

  it.each([
    ['a .git folder', 'repo-dir'],
    ['a .git file (worktree)', 'repo-file'],
  ])('is the git work tree holding the manifest (%s), whatever the cwd', async (_what, name) => {
    write(`${name}/lab/mint.yaml`, designAt('../shared/x.json'));
    write(`${name}/shared/x.json`, '{"shared": 2}');
    if (name === 'repo-dir') fs.mkdirSync(path.join(tmp, name, '.git'), { recursive: true });
    else write(`${name}/.git`, 'gitdir: /somewhere/else/.git/worktrees/x\n');
    // Run from a folder beside the work tree: the cwd plays no part.
    const cwd = path.join(tmp, `beside-${name}`);
    fs.mkdirSync(cwd, { recursive: true });
    const m = ok(await loadManifests([`../${name}/lab/mint.yaml`], { cwd }));
    expect(m.experiments[0].design?.data).toEqual({ shared: 2 });
    // An explicit root overrides it.
    const narrow = await loadManifests([`../${name}/lab/mint.yaml`], {
      cwd,
      workspaceRoot: `../${name}/lab`,
    });
    expect(narrow.ok || narrow.errors.map((d) => d.code)).toEqual(['file.outside-workspace']);
  });
});

describe('inputs', () => {
  beforeAll(() => {
    write(
      'multi/a.yaml',
      HEAD +
        'projects:\n  - key: p\n    id: 7\nexperiments:\n  - key: a\n    name: A\n    experiment_type: t\n',
    );
    write(
      'multi/b.yml',
      HEAD + 'experiments:\n  - key: b\n    name: B\n    experiment_type: t\n    project: p\n',
    );
    write('multi/notes.txt', 'not a manifest');
    write('multi/sub/c.yaml', HEAD + 'experiments:\n  - key: c\n    name: C\n    experiment_type: t\n');
  });

  it('a folder means its *.yaml and *.yml files (not recursive); project refs work across files', async () => {
    const m = ok(await loadManifests(['multi'], { cwd: tmp }));
    expect(m.files).toEqual(['multi/a.yaml', 'multi/b.yml']);
    expect(m.experiments.map((e) => [e.key, e.project])).toEqual([
      ['a', undefined],
      ['b', 'p'],
    ]);
    expect(m.projects).toEqual([expect.objectContaining({ key: 'p', id: 7 })]);
  });

  it('globs expand (recursively with **), duplicates are read once', async () => {
    const m = ok(await loadManifests(['multi/**/*.yaml', 'multi/a.yaml', 'multi/b.yml'], { cwd: tmp }));
    expect(m.files).toEqual(['multi/a.yaml', 'multi/sub/c.yaml', 'multi/b.yml']);
  });

  it('a directory named like a manifest is skipped in folders and reported when named', async () => {
    fs.mkdirSync(path.join(tmp, 'dirs/odd.yaml'), { recursive: true });
    write('dirs/real.yaml', HEAD);
    expect(ok(await loadManifests(['dirs'], { cwd: tmp })).files).toEqual(['dirs/real.yaml']);
    expect(ok(await loadManifests(['dirs/*.yaml'], { cwd: tmp })).files).toEqual(['dirs/real.yaml']);
    const named = await loadManifests(['dirs/odd.yaml'], { cwd: tmp });
    expect(named.ok || named.errors.map((d) => d.code)).toEqual(['input.empty-folder']);
  });

  it('with no inputs, says so', async () => {
    const r = await loadManifests([], { cwd: tmp });
    expect(r.ok || r.errors.map((d) => d.code)).toEqual(['input.none']);
  });
});

describe('resolution', () => {
  it('adoption by code needs no name or type; design null and result null mean delete', async () => {
    write(
      'adopt/mint.yaml',
      HEAD +
        'experiments:\n  - key: legacy\n    code: EXP-042\n    design: null\n    analysis:\n      - plugin_id: peak-qc\n        result: null\n',
    );
    const m = ok(await loadManifests(['adopt/mint.yaml'], { cwd: tmp }));
    const e = m.experiments[0];
    expect(e).toMatchObject({ key: 'legacy', code: 'EXP-042', design: null });
    expect(e.name).toBeUndefined();
    expect(e.analysis).toEqual([expect.objectContaining({ plugin_id: 'peak-qc', result: null })]);
  });

  it('leaves unwritten fields undefined (unmanaged)', async () => {
    write('minimal/mint.yaml', HEAD + 'experiments:\n  - key: a\n    name: A\n    experiment_type: t\n');
    const e = ok(await loadManifests(['minimal/mint.yaml'], { cwd: tmp })).experiments[0];
    for (const field of [
      'status',
      'notes',
      'tags',
      'start_date',
      'end_date',
      'design',
      'analysis',
      'project',
    ] as const) {
      expect(e[field], field).toBeUndefined();
    }
  });

  // Quoted, as it must be (a bare number is an error: see the invalid corpus).
  it.each([
    ['"1.0"', '1.0'],
    ["'1.10'", '1.10'],
    ['"2"', '2'],
    ['2.0-beta', '2.0-beta'],
  ])('schema_version %s resolves to "%s"', async (written, expected) => {
    write(
      'sv/mint.yaml',
      HEAD +
        `experiments:\n  - key: a\n    name: A\n    experiment_type: t\n    design:\n      plugin_id: p\n      schema_version: ${written}\n      data: {}\n`,
    );
    const e = ok(await loadManifests(['sv/mint.yaml'], { cwd: tmp })).experiments[0];
    expect(e.design?.schema_version).toBe(expected);
  });

  it('a left-out schema_version stays unset (not managed)', async () => {
    write(
      'sv2/mint.yaml',
      HEAD +
        'experiments:\n  - key: a\n    name: A\n    experiment_type: t\n    design:\n      plugin_id: p\n      data: [1, 2]\n',
    );
    const design = ok(await loadManifests(['sv2/mint.yaml'], { cwd: tmp })).experiments[0].design;
    expect(design).toMatchObject({ data: [1, 2] });
    expect(design).not.toHaveProperty('schema_version');
  });

  it('data files resolve against the manifest folder, not cwd; YAML data files work', async () => {
    write(
      'nested/deep/mint.yaml',
      HEAD +
        'experiments:\n  - key: a\n    name: A\n    experiment_type: t\n    design:\n      plugin_id: p\n      data_file: d/design.yaml\n',
    );
    write('nested/deep/d/design.yaml', 'samples:\n  - id: S1\n');
    const m = ok(await loadManifests(['nested/deep/mint.yaml'], { cwd: tmp }));
    expect(m.experiments[0].design?.data).toEqual({ samples: [{ id: 'S1' }] });
  });

  it('workspaceRoot can be wider than cwd', async () => {
    write('shared/design.json', '{"shared": true}');
    write(
      'ws/proj/mint.yaml',
      HEAD +
        'experiments:\n  - key: a\n    name: A\n    experiment_type: t\n    design:\n      plugin_id: p\n      data_file: ../../shared/design.json\n',
    );
    const cwd = path.join(tmp, 'ws/proj');
    const narrow = await loadManifests(['mint.yaml'], { cwd });
    expect(narrow.ok || narrow.errors.map((d) => d.code)).toEqual(['file.outside-workspace']);
    const wide = ok(await loadManifests(['mint.yaml'], { cwd, workspaceRoot: tmp }));
    expect(wide.experiments[0].design?.data).toEqual({ shared: true });
  });

  it('warns (but passes) when end_date is before start_date; date-times are accepted', async () => {
    write(
      'dates/mint.yaml',
      HEAD +
        'experiments:\n  - key: a\n    name: A\n    experiment_type: t\n    start_date: 2026-05-10T08:00:00Z\n    end_date: 2026-05-01\n',
    );
    const r = await loadManifests(['dates/mint.yaml'], { cwd: tmp });
    expect(r.ok).toBe(true);
    expect(r.warnings.map((d) => `${d.line}:${d.column} ${d.code}`)).toEqual(['8:15 value.date-order']);
    expect(formatDiagnostic(r.warnings[0])).toContain(
      'warning: experiments[0].end_date: `end_date` is before `start_date`',
    );
  });

  it('mixed stacks stay an error with allowMixedStacks, with a run-each-stack hint', async () => {
    write('mixed/a.yaml', 'version: 1\nstack: one\n');
    write('mixed/b.yaml', 'version: 1\nstack: two\n');
    const r = await loadManifests(['mixed'], { cwd: tmp, allowMixedStacks: true });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0].hint).toMatch(/each stack must be planned separately/);
  });

  it('a generated manifest validates clean (the generator the benchmark uses)', async () => {
    write('gen/mint.yaml', generateManifestYaml(200, { inlineDesign: true }));
    const m = ok(await loadManifests(['gen/mint.yaml'], { cwd: tmp }));
    expect(m.experiments).toHaveLength(200);
    expect(m.experiments[199].design?.schema_version).toBe('1.0');
  });
});

describe('diagnostics', () => {
  it('never echo a token that came in through ${VAR}', async () => {
    const token = 'mint_pat_Sup3rSecretValue';
    write(
      'secret/mint.yaml',
      HEAD +
        'experiments:\n  - key: a\n    name: A\n    experiment_type: t\n    status: ${TOKEN}\n    project: ${TOKEN}\n',
    );
    const r = await loadManifests(['secret/mint.yaml'], {
      cwd: tmp,
      env: { TOKEN: token },
      allowEnv: ['TOKEN'],
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((d) => d.code).sort()).toEqual(['ref.unknown-project', 'schema.enum']);
    const text = JSON.stringify(r.errors) + r.errors.map(formatDiagnostic).join('\n');
    expect(text).not.toContain('Sup3rSecretValue');
    expect(text).toContain('<redacted>');
  });

  it('are sorted by file, line and column and formatted as file:line:col: error: path: message (…) — hint', async () => {
    write(
      'sorted/b.yaml',
      HEAD + 'experiments:\n  - key: x\n    name: X\n    experiment_type: t\n    status: nope\n',
    );
    write(
      'sorted/a.yaml',
      'version: 1\nstack: lab\nbogus: 1\nexperiments:\n  - key: y\n    name: Y\n    experiment_type: t\n    stauts: planned\n',
    );
    const r = await loadManifests(['sorted/b.yaml', 'sorted/a.yaml'], { cwd: tmp });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((d) => `${d.file}:${d.line}:${d.column}`)).toEqual([
      'sorted/a.yaml:3:1',
      'sorted/a.yaml:8:5',
      'sorted/b.yaml:7:13',
    ]);
    expect(formatDiagnostic(r.errors[1])).toBe(
      'sorted/a.yaml:8:5: error: experiments[0].stauts: unknown property `stauts` (expected one of `key`, `code`, `name`, ' +
        '`experiment_type`, `project`, `status`, `notes`, `tags`, `start_date`, `end_date`, `design`, `analysis`) — did you mean `status`?',
    );
  });
});
