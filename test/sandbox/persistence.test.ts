// --data persistence: atomic writes survive SIGKILL mid-write; every acknowledged write is on disk.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/index.js';
import { call } from './helpers.js';

const work = mkdtempSync(join(tmpdir(), 'mint-sandbox-persist-'));
let entry: string;

beforeAll(() => {
  // Compile the sandbox on its own (not lib/, which may be stale or mid-build by someone else).
  const root = resolve(__dirname, '../..');
  const program = ts.createProgram([join(root, 'src/sandbox/cli-entry.ts')], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    skipLibCheck: true,
    types: ['node'],
    rootDir: join(root, 'src'),
    outDir: join(work, 'build'),
  });
  const result = program.emit();
  if (result.emitSkipped) throw new Error('could not compile src/sandbox for the child process');
  writeFileSync(join(work, 'build', 'package.json'), '{"type": "commonjs"}');
  entry = join(work, 'build', 'sandbox', 'cli-entry.js');
}, 60_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

const TOKEN = 'mint_pat_persistence_test';

async function spawnSandbox(dataFile: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [entry, '--port', '0', '--data', dataFile, '--token', TOKEN, '--json'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let err = '';
  child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  const url = await new Promise<string>((res, rej) => {
    let out = '';
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) res((JSON.parse(out.slice(0, nl)) as { url: string }).url);
    });
    child.once('exit', (code) => rej(new Error(`sandbox child exited (${code}): ${err}`)));
  });
  return { child, url };
}

interface Acked {
  experiments: Map<number, string>;
  designs: Map<number, number>;
}

/** Writers loop until stopped; only writes answered 2xx are recorded. */
function writeContinuously(
  url: string,
  acked: Acked,
  round: number,
): { stop: () => void; done: Promise<void> } {
  let stopped = false;
  const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
  const writer = async (w: number): Promise<void> => {
    for (let i = 0; !stopped; i++) {
      try {
        const name = `r${round}-w${w}-${i}`;
        const r = await fetch(`${url}/api/experiments`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ name, experiment_type: 'lcms_batch' }),
        });
        if (r.status !== 201) continue;
        const e = (await r.json()) as { id: number };
        acked.experiments.set(e.id, name);
        const d = await fetch(`${url}/api/experiments/${e.id}/data`, {
          method: 'PUT',
          headers,
          body: JSON.stringify({ plugin_id: 'p', data: { i } }),
        });
        if (d.status === 200) acked.designs.set(e.id, i);
      } catch {
        return; // the child was killed
      }
    }
  };
  const done = Promise.all([0, 1, 2, 3].map(writer)).then(() => undefined);
  return { stop: () => (stopped = true), done };
}

describe('persistence', () => {
  it('restarts from --data after SIGKILL during writes with every acknowledged write intact', async () => {
    const dataFile = join(work, 'killed.json');
    const acked: Acked = { experiments: new Map(), designs: new Map() };
    for (const round of [1, 2]) {
      const { child, url } = await spawnSandbox(dataFile);
      const writes = writeContinuously(url, acked, round);
      try {
        const target = acked.experiments.size + 60;
        while (acked.experiments.size < target) await new Promise((r) => setTimeout(r, 10));
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGKILL');
        await exited;
      } finally {
        // Whatever failed above (or timed out), the child and the writers must not outlive the test.
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        writes.stop();
      }
      await writes.done;
      // The file is always whole JSON, whatever moment the kill hit.
      expect(() => JSON.parse(readFileSync(dataFile, 'utf8'))).not.toThrow();
    }
    expect(acked.experiments.size).toBeGreaterThanOrEqual(120);

    const sb = await startSandbox({ dataFile });
    try {
      const live = await call(sb, 'GET', '/api/experiments?limit=1000');
      const byId = new Map<number, { name: string; has_design_data: boolean }>(
        live.body.experiments.map((e: { id: number }) => [e.id, e]),
      );
      for (const [id, name] of acked.experiments) expect(byId.get(id)?.name).toBe(name);
      for (const [id, i] of acked.designs)
        expect((await call(sb, 'GET', `/api/experiments/${id}/data`)).body.data).toEqual({ i });
      // Codes keep counting after a restart: no code is handed out twice.
      const codes = live.body.experiments.map((e: { experiment_code: string }) => e.experiment_code);
      expect(new Set(codes).size).toBe(codes.length);
      const fresh = await call(sb, 'POST', '/api/experiments', {
        body: { name: 'after', experiment_type: 'lcms_batch' },
      });
      expect(codes).not.toContain(fresh.body.experiment_code);
    } finally {
      await sb.close();
    }
  }, 60_000);

  it('persists in process: state survives close() and restart, users too', async () => {
    const dataFile = join(work, 'inproc.json');
    const a = await startSandbox({ dataFile, users: [{ username: 'pat', password: 'p' }] });
    try {
      const p = await call(a, 'POST', '/api/projects', { body: { name: 'Kept' } });
      await call(a, 'POST', '/api/experiments', {
        body: { name: 'kept', experiment_type: 'general', project_id: p.body.id },
      });
    } finally {
      await a.close();
    }
    expect(readdirSync(work).filter((f) => f.startsWith('inproc.json.'))).toEqual([]);
    const b = await startSandbox({ dataFile });
    try {
      expect((await call(b, 'GET', '/api/experiments?project=Kept')).body.total).toBe(1);
      expect(
        (await call(b, 'POST', '/api/auth/login', { body: { username: 'pat', password: 'p' }, token: null }))
          .status,
      ).toBe(200);
      // Tokens are not persisted: the old admin PAT is gone.
      expect((await call(b, 'GET', '/api/users/me', { token: a.adminToken })).status).toBe(401);
    } finally {
      await b.close();
    }
  });

  it('clears temp files left by a killed run and names an unwritable data folder', async () => {
    const dataFile = join(work, 'temps.json');
    writeFileSync(`${dataFile}.99999.tmp`, '{"half": ');
    const sb = await startSandbox({ dataFile });
    await sb.close();
    expect(readdirSync(work).filter((f) => f.startsWith('temps.json'))).toEqual(['temps.json']);
    await expect(startSandbox({ dataFile: join(work, 'no-such-dir', 'x.json') })).rejects.toThrow(
      /cannot write data file .*x\.json .*check that its folder exists/,
    );
  });

  it('refuses a data file that is not the sandbox format, naming the file', async () => {
    const bad = join(work, 'other.json');
    writeFileSync(bad, '{"hello": 1}');
    await expect(startSandbox({ dataFile: bad })).rejects.toThrow(`${bad} is not a sandbox data file`);
    writeFileSync(bad, '{"torn": ');
    await expect(startSandbox({ dataFile: bad })).rejects.toThrow(/not valid JSON/);
  });
});
