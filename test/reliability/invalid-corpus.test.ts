// Every case of the invalid-manifest corpus through the built CLI's `validate` and `apply --auto-approve`:
// exit 1, an error located as file:line:col, and not one write request reaching the sandbox.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { isolatedEnv, mapPool, ROOT, runCli, tempDir, type ProcessResult } from './helpers.js';

const CORPUS = path.join(ROOT, 'test', 'fixtures', 'invalid');
const LOCATED = /[^\s:'"`]+\.(ya?ml|json):\d+:\d+/;

/** Support files of the corpus, and cases that need a loader option the CLI does not expose. */
const NOT_CASES: Record<string, string> = {
  data: 'data files the cases reference',
  'data-file-too-large.yaml': 'needs maxFileBytes below the CLI default (10 MB); covered by test/manifest',
};

/** A case is a manifest file at the top of the corpus, or a folder (a multi-file case). */
function corpusCases(): string[] {
  if (!fs.existsSync(CORPUS)) return [];
  return fs
    .readdirSync(CORPUS, { withFileTypes: true })
    .filter((e) => !(e.name in NOT_CASES) && (e.isDirectory() || /\.ya?ml$/.test(e.name)))
    .map((e) => e.name)
    .sort();
}

const cases = corpusCases();
let sandbox: Sandbox;
let home: string;
const outcomes = new Map<string, { validate: ProcessResult; apply: ProcessResult }>();

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, quiet: true, authRateLimit: false });
  home = tempDir('invalid');
  const env = isolatedEnv(home, { MINT_URL: sandbox.url, MINT_TOKEN: sandbox.adminToken });
  sandbox.resetStats();
  // Spawning is the cost here; a small pool keeps two cores busy without starving the sandbox.
  await mapPool(cases, 4, async (name) => {
    const opts = { cwd: CORPUS, env };
    // The corpus lives in this repository's work tree (the default root): confine it to its folder.
    const validate = await runCli(['validate', '--root', '.', name], opts);
    const apply = await runCli(['apply', '--auto-approve', '--root', '.', name], opts);
    outcomes.set(name, { validate, apply });
  });
}, 300_000);

afterAll(async () => {
  await sandbox?.close();
  if (home) fs.rmSync(home, { recursive: true, force: true });
});

describe('invalid-manifest corpus through the built CLI', () => {
  it('has a corpus to run', () => {
    expect(cases.length, `no cases in ${CORPUS}`).toBeGreaterThan(0);
  });

  it.each(cases)('%s: validate and apply exit 1 with a file:line:col error', (name) => {
    const o = outcomes.get(name);
    expect(o).toBeDefined();
    for (const [cmd, r] of Object.entries(o!)) {
      expect(r.code, `${cmd} ${name}: ${r.stderr}`).toBe(1);
      expect(r.stderr, `${cmd} ${name}: stderr names no file:line:col`).toMatch(LOCATED);
    }
  });

  it('no write request reached the sandbox', () => {
    const stats = sandbox.stats();
    const writes = Object.entries(stats.byRoute).filter(([k]) => !/^(GET|HEAD|OPTIONS) /.test(k));
    expect(stats.writes, JSON.stringify(writes)).toBe(0);
  });
});
