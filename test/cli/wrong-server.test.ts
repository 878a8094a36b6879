// A MINT_URL that points at something other than MINT (a web page answering 200 with HTML, a proxy's
// login page) must stop the run with a clear line and never be taken for "no experiments yet":
// that would send every experiment as a new create.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseEnv, runCli, tempDir, writeFiles } from './helpers.js';

const requests: string[] = [];
let server: http.Server;
let url: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    res.setHeader('content-type', 'text/html');
    res.end('<html><body>Welcome to our lab portal</body></html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('a MINT_URL that is not MINT', () => {
  it('apply stops with one clear line and sends no write', async () => {
    const dir = tempDir('wrong-server');
    writeFiles(dir, {
      'mint.yaml': [
        'version: 1',
        'stack: lab',
        'projects:',
        '  - key: p',
        '    name: Project',
        'experiments:',
        '  - key: e1',
        '    name: One',
        '    experiment_type: lcms',
        '    project: p',
        '',
      ].join('\n'),
    });
    const r = await runCli(['apply', '--auto-approve', 'mint.yaml'], {
      cwd: dir,
      env: baseEnv(path.join(dir, 'home'), { MINT_URL: url, MINT_TOKEN: 'mint_pat_wrongserver1234' }),
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('cannot be read safely');
    expect(r.stderr).toContain('check that --url / MINT_URL');
    expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((q) => !q.startsWith('GET '))).toEqual([]);
    expect(r.stdout + r.stderr).not.toContain('mint_pat_wrongserver1234');
  });
});
