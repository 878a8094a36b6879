import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { octokitWithDeadline } from '../../src/github/pr.js';

describe('GitHub API deadline', () => {
  const servers: http.Server[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
  });

  it('aborts a GitHub call that never answers instead of hanging the job', async () => {
    // a GitHub stand-in that accepts the request and never answers
    let received = 0;
    const server = http.createServer(() => void received++);
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const octokit = octokitWithDeadline('ghs_test', 300, `http://127.0.0.1:${port}`);
    await expect(octokit.rest.users.getAuthenticated()).rejects.toThrow(/abort/i);
    expect(received).toBe(1);
  });
});
