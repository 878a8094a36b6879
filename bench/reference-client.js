'use strict';
// The naive sequential reference: what a hand-written script with the Python client does, one request
// at a time, no concurrency, no retries. It is the yardstick the engine's speed-up is measured against,
// so it must do the same work the engine does (same experiments, tags, design data and result) and no
// more than a reasonable script would: find each experiment, create or update it, save design, save result.
const axios = require('axios');

const STACK_TAG = 'mint-manifest.stack';
const KEY_TAG = 'mint-manifest.key';

function unwrap(body, key) {
  if (Array.isArray(body)) return body;
  return body[key] || body.items || body.data || [];
}

/**
 * Runs the reference over `spec.experiments.slice(0, limit)`.
 * Returns { wallMs, requests, experiments, created, updated }.
 */
async function runReference({ baseUrl, token, spec, limit, onProgress }) {
  const http = axios.create({
    baseURL: `${baseUrl.replace(/\/+$/, '')}/api`,
    headers: { Authorization: `Bearer ${token}` },
    timeout: 30_000,
  });
  let requests = 0;
  const call = async (method, url, data, params) => {
    requests++;
    const res = await http.request({ method, url, data, params });
    return res.data;
  };

  const started = process.hrtime.bigint();
  const projects = unwrap(
    await call('get', '/projects', undefined, { search: spec.projectName }),
    'projects',
  );
  let project = projects.find((p) => p.name === spec.projectName);
  if (!project) project = await call('post', '/projects', { name: spec.projectName });

  const experiments = spec.experiments.slice(0, limit ?? spec.experiments.length);
  let created = 0;
  let updated = 0;
  for (let i = 0; i < experiments.length; i++) {
    const e = experiments[i];
    const tags = { ...e.tags, [STACK_TAG]: spec.stack, [KEY_TAG]: e.key };
    const found = unwrap(
      await call('get', '/experiments', undefined, { search: e.key, project_id: project.id, limit: 100 }),
      'experiments',
    ).find((x) => x.tags && x.tags[STACK_TAG] === spec.stack && x.tags[KEY_TAG] === e.key);
    let id;
    if (found) {
      await call('patch', `/experiments/${found.id}`, {
        name: e.name,
        experiment_type: e.experiment_type,
        tags,
      });
      id = found.id;
      updated++;
    } else {
      const body = { name: e.name, experiment_type: e.experiment_type, project_id: project.id, tags };
      id = (await call('post', '/experiments', body)).id;
      created++;
    }
    await call('put', `/experiments/${id}/data`, e.design);
    await call('put', `/experiments/${id}/results/${encodeURIComponent(e.analysis.plugin_id)}`, {
      result: e.analysis.result,
    });
    if (onProgress) onProgress(i + 1, experiments.length);
  }
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  return { wallMs, requests, experiments: experiments.length, created, updated };
}

module.exports = { runReference };
