// Targets for HTTP load tools (autocannon in bench/): a seeded experiment and the headers to reach it.
import type { Sandbox } from './types.js';

export interface LoadTarget {
  /** e.g. "GET /api/experiments/{id}". */
  name: string;
  url: string;
  method: 'GET';
  headers: Record<string, string>;
}

/** Creates one experiment with design data and returns the simple read routes to hammer. */
export async function prepareLoadTargets(sandbox: Sandbox): Promise<LoadTarget[]> {
  const headers = { authorization: `Bearer ${sandbox.adminToken}` };
  const res = await fetch(`${sandbox.url}/api/experiments`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'load target', experiment_type: 'lcms_batch', tags: { purpose: 'load' } }),
  });
  if (res.status !== 201) throw new Error(`sandbox: could not seed the load target (HTTP ${res.status})`);
  const { id } = (await res.json()) as { id: number };
  return [
    { name: 'GET /api/health', url: `${sandbox.url}/api/health`, method: 'GET', headers: {} },
    {
      name: 'GET /api/experiments/{id}',
      url: `${sandbox.url}/api/experiments/${id}`,
      method: 'GET',
      headers,
    },
  ];
}
