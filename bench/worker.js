'use strict';
// One measurement in a fresh process, so its peak RSS (resourceUsage().maxRSS) is this measurement's
// alone. argv[2]: JSON task. Prints one line `BENCH_RESULT <json>` on stdout.
const path = require('node:path');

const lib = (p) => require(path.join(__dirname, '..', 'lib', p));

function peakRssMb() {
  return process.resourceUsage().maxRSS / 1024;
}

function now() {
  return Number(process.hrtime.bigint()) / 1e6;
}

async function load(task) {
  const { loadManifests } = lib('manifest/index.js');
  const t0 = now();
  const res = await loadManifests(task.inputs, { cwd: task.cwd, workspaceRoot: task.cwd, env: {} });
  const loadMs = now() - t0;
  if (!res.ok) {
    const { formatDiagnostic } = lib('manifest/index.js');
    throw new Error(`manifest invalid: ${res.errors.slice(0, 3).map(formatDiagnostic).join('; ')}`);
  }
  return { manifest: res.manifest, loadMs };
}

function client(task) {
  const { MintClient } = lib('client/index.js');
  return new MintClient({ baseUrl: task.url, token: task.token, env: {}, allowInsecureHttp: true });
}

async function runTask(task) {
  if (task.kind === 'validate') {
    const t0 = now();
    const { manifest, loadMs } = await load(task);
    return { wallMs: now() - t0, loadMs, experiments: manifest.experiments.length };
  }
  if (task.kind === 'plan' || task.kind === 'apply') {
    const actions = lib('actions/index.js');
    const t0 = now();
    const { manifest, loadMs } = await load(task);
    const c = client(task);
    const t1 = now();
    let plan;
    let result;
    if (task.kind === 'plan') {
      plan = await actions.plan({ manifest, client: c, concurrency: task.concurrency });
    } else {
      ({ plan, result } = await actions.apply({
        manifest,
        client: c,
        concurrency: task.concurrency,
        continueOnError: true,
      }));
    }
    const end = now();
    return {
      wallMs: end - t0,
      opMs: end - t1,
      loadMs,
      planSummary: plan.summary,
      hasChanges: plan.hasChanges,
      actions: plan.actions.length,
      applySummary: result ? result.summary : undefined,
      firstFailure: result ? (result.results.find((r) => r.status === 'failed') || {}).message : undefined,
    };
  }
  if (task.kind === 'throughput') {
    const c = client(task);
    const burst = async (total) => {
      let next = 0;
      const loop = async () => {
        while (next < total) {
          next++;
          await c.experiments.get(task.experimentId);
        }
      };
      await Promise.all(Array.from({ length: task.concurrency }, loop));
    };
    // Untimed warm-up: autocannon measures a warm server, so measure a warm (JIT-compiled) client too.
    await burst(task.warmup || 0);
    const total = task.requests;
    const t0 = now();
    await burst(total);
    const wallMs = now() - t0;
    return { wallMs, requests: total, rps: total / (wallMs / 1000) };
  }
  throw new Error(`unknown task ${task.kind}`);
}

runTask(JSON.parse(process.argv[2]))
  .then((out) => {
    const cpu = process.cpuUsage();
    const cpuMs = (cpu.user + cpu.system) / 1000;
    process.stdout.write(`BENCH_RESULT ${JSON.stringify({ ...out, peakRssMb: peakRssMb(), cpuMs })}\n`);
    process.exit(0);
  })
  .catch((err) => {
    process.stderr.write(`bench worker: ${err && err.message ? err.message : String(err)}\n`);
    process.exit(1);
  });
