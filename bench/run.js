'use strict';
// `npm run bench` (after `npm run build`): measures the built library, CLI and Action and prints a
// table of figures beside their targets; writes bench/results.json. `--quick` measures 1,000 only.
// Figures, not pass/fail: the exit code is 0 even when a target is not met, and 1 only when the
// bench itself could not run.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { writeBenchManifest, buildBenchSpec } = require('./generate.js');
const { runReference } = require('./reference-client.js');
const { fmtSeconds, renderTable, writeResults } = require('./table.js');
const { killChildren, median, runProcess, runWorker, startSandboxChild } = require('./processes.js');

const ROOT = path.join(__dirname, '..');
const CONCURRENCY = 16;
const LATENCY_MS = 20;
const LATENCY_FAULTS = { rules: [{ route: '*', latencyMs: LATENCY_MS }] };
const RSS_TARGET_MB = 300;
/**
 * Fresh 10,000 applies measured, each against a new sandbox: peak RSS varies from run to run with
 * when V8 happens to collect, so the row reports the largest of these.
 */
const APPLY_10K_RUNS = 3;
/** Wall time of the 10,000 apply at most this many times the request-count limit. */
const APPLY_LIMIT_RATIO = 1.2;
const REFERENCE_SLICE = 1000;
const COLD_START_RUNS = 7;
const HEAP_CAP_MB = 160;
const THROUGHPUT_WARMUP = 2000;

const FOREIGN = 100_000;
const FOREIGN_MANAGED = 1000;
const FOREIGN_TARGET_S = 10;
const FOREIGN_RSS_MB = 250;

const quick = process.argv.includes('--quick');
/** `--foreign-only`: just the platform-size ownership scan row (writes no results.json). */
const foreignOnly = process.argv.includes('--foreign-only');
/**
 * `--only apply-10k[,noop-plan-10k,...]`: just those rows (ids as in results.json; `10k` = `10000`),
 * printed, not written. A no-op row first runs its fresh apply, unreported.
 */
const only = parseOnly(process.argv);
const sizes = only ? onlySizes(only) : quick ? [1000] : [1000, 10000];

function parseOnly(argv) {
  const i = argv.indexOf('--only');
  if (i < 0) return undefined;
  const ids = (argv[i + 1] || '').split(',').filter(Boolean);
  if (!ids.length) throw new Error('--only needs row ids, e.g. --only apply-10k');
  return new Set(ids.map((id) => id.replace(/(\d+)k\b/g, (_, d) => String(Number(d) * 1000))));
}

function onlySizes(ids) {
  const found = new Set();
  for (const id of ids) {
    const m = /^(?:plan|apply|noop-plan|noop-apply)-(\d+)$/.exec(id);
    if (m) found.add(Number(m[1]));
  }
  return [...found].sort((a, b) => a - b);
}

function log(msg) {
  process.stderr.write(`▸ ${msg}\n`);
}

/** One measured run: wall time, its ratio to the request-count limit, requests and peak RSS. */
function logRun(out, ratio, stats) {
  log(
    `  ${fmtSeconds(out.wallMs)} (${ratio.toFixed(2)}× the request-count limit), ${stats.reads} reads / ${stats.writes} writes, ${Math.round(out.peakRssMb)} MB`,
  );
}

function fmtN(n) {
  return n.toLocaleString('en-US');
}

function errorMessage(err) {
  return err && err.message ? err.message.split('\n')[0] : String(err);
}

function round1(x) {
  return Math.round(x * 10) / 10;
}

function requestsOf(stats) {
  return { reads: stats.reads, writes: stats.writes };
}

function failedRow(id, measurement, target, err) {
  return { id, measurement, figure: `error: ${errorMessage(err)}`, target, met: target ? false : null };
}

/** The steps `--only` selects; a no-op step needs the fresh apply before it (run, not reported). */
function selectSteps(steps, n) {
  if (!only) return steps;
  const picked = steps.filter((s) => only.has(s.id));
  if (picked.some((s) => s.noop) && !only.has(`apply-${n}`)) {
    const apply = steps.find((s) => s.id === `apply-${n}`);
    picked.splice(picked.indexOf(picked.find((s) => s.noop)), 0, { ...apply, unreported: true });
  }
  return picked;
}

/** plan, apply, no-op re-plan and no-op re-apply of n experiments, each in its own worker process. */
async function benchEngine(n, manifestFile, rows, figures) {
  const sb = await startSandboxChild({ faults: LATENCY_FAULTS });
  const base = { inputs: [manifestFile], cwd: path.dirname(manifestFile), url: sb.url, token: sb.token };
  const steps = [
    { id: `plan-${n}`, kind: 'plan', label: `plan ${fmtN(n)} (fresh)` },
    { id: `apply-${n}`, kind: 'apply', label: `apply ${fmtN(n)} (fresh)` },
    { id: `noop-plan-${n}`, kind: 'plan', label: `no-op re-plan ${fmtN(n)}`, noop: true },
    { id: `noop-apply-${n}`, kind: 'apply', label: `no-op re-apply ${fmtN(n)}`, noop: true },
  ];
  try {
    for (const step of selectSteps(steps, n)) {
      log(`${step.label} (concurrency ${CONCURRENCY}, ${LATENCY_MS} ms latency)`);
      await sb.resetStats();
      let out;
      try {
        out = await runWorker({ ...base, kind: step.kind, concurrency: CONCURRENCY });
      } catch (err) {
        rows.push(failedRow(step.id, step.label, step.noop ? '0 writes' : undefined, err));
        continue;
      }
      const stats = await sb.stats();
      const ratio = out.wallMs / limitMs(requestsOf(stats));
      logRun(out, ratio, stats);
      if (step.unreported) continue;
      figures[step.id] = { ...out, requests: requestsOf(stats) };
      const wall = `${fmtSeconds(out.wallMs)} (${ratio.toFixed(2)}× limit)`;
      const row = {
        id: step.id,
        measurement: step.label,
        figure: wall,
        value: out.wallMs / 1000,
        unit: 's',
        ratioToLimit: ratio,
        requests: requestsOf(stats),
        peakRssMb: out.peakRssMb,
        met: null,
      };
      const notes = [];
      if (out.applySummary && out.applySummary.failed) {
        notes.push(`${out.applySummary.failed} actions failed, first: ${out.firstFailure}`);
      }
      if (step.noop) {
        row.figure = `${stats.writes} writes, ${wall}`;
        row.value = stats.writes;
        row.unit = 'writes';
        row.target = '0 writes';
        row.met = stats.writes === 0 && !out.hasChanges;
        if (out.hasChanges) notes.push(`plan still has changes: ${JSON.stringify(out.planSummary)}`);
      } else if (step.kind === 'apply' && n === 10000) {
        // issue 17: the time promise, within 1.2× of the request-count limit, in bounded memory
        const runs = [{ out, ratio }, ...(await moreFreshApplies(base, APPLY_10K_RUNS - 1))];
        const worst = Math.max(...runs.map((r) => r.out.peakRssMb));
        const slowest = Math.max(...runs.map((r) => r.ratio));
        row.peakRssMb = worst;
        row.runs = runs.map((r) => ({
          wallS: round1(r.out.wallMs / 1000),
          ratioToLimit: r.ratio,
          peakRssMb: r.out.peakRssMb,
        }));
        notes.push(
          `${runs.length} fresh runs, each against a new sandbox: ${runs
            .map(
              (r) => `${fmtSeconds(r.out.wallMs)} (${r.ratio.toFixed(2)}×) ${Math.round(r.out.peakRssMb)} MB`,
            )
            .join('; ')}; the row shows the first wall time and the largest peak RSS`,
        );
        row.target = `< 60 s, ≤ ${APPLY_LIMIT_RATIO}× limit, < ${RSS_TARGET_MB} MB`;
        row.met =
          runs.every((r) => r.out.wallMs < 60_000 && !(r.out.applySummary && r.out.applySummary.failed)) &&
          slowest <= APPLY_LIMIT_RATIO &&
          worst < RSS_TARGET_MB;
      }
      if (notes.length) row.note = notes.join('; ');
      rows.push(row);
    }
  } finally {
    await sb.stop();
  }
}

/** More fresh applies of the same manifest, each against its own new sandbox (for the RSS spread). */
async function moreFreshApplies(base, count) {
  const runs = [];
  for (let i = 0; i < count; i++) {
    const sb = await startSandboxChild({ faults: LATENCY_FAULTS });
    try {
      log(`  fresh apply again (${i + 2} of ${count + 1}), new sandbox`);
      const out = await runWorker({
        ...base,
        url: sb.url,
        token: sb.token,
        kind: 'apply',
        concurrency: CONCURRENCY,
      });
      const stats = await sb.stats();
      const ratio = out.wallMs / limitMs(requestsOf(stats));
      logRun(out, ratio, stats);
      runs.push({ out, ratio });
    } finally {
      await sb.stop();
    }
  }
  return runs;
}

async function benchReference(n, rows, figures) {
  const spec = buildBenchSpec(n);
  const sb = await startSandboxChild({ faults: LATENCY_FAULTS });
  try {
    log(`reference: sequential script, ${fmtN(n)} experiments (${LATENCY_MS} ms latency)`);
    await sb.resetStats();
    const out = await runReference({ baseUrl: sb.url, token: sb.token, spec });
    const stats = await sb.stats();
    figures[`reference-${n}`] = { ...out, requests: requestsOf(stats) };
    rows.push({
      id: `reference-${n}`,
      measurement: `reference ${fmtN(n)} (sequential)`,
      figure: fmtSeconds(out.wallMs),
      value: out.wallMs / 1000,
      unit: 's',
      requests: requestsOf(stats),
      met: null,
    });
  } catch (err) {
    rows.push(failedRow(`reference-${n}`, `reference ${fmtN(n)} (sequential)`, undefined, err));
  } finally {
    await sb.stop();
  }
}

function speedupRows(rows, figures) {
  for (const n of sizes) {
    const engine = figures[`apply-${n}`];
    let ref = figures[`reference-${n}`];
    let extrapolated = false;
    if (!ref && figures[`reference-${REFERENCE_SLICE}`]) {
      const slice = figures[`reference-${REFERENCE_SLICE}`];
      const k = n / slice.experiments;
      ref = {
        wallMs: slice.wallMs * k,
        requests: {
          reads: Math.round(slice.requests.reads * k),
          writes: Math.round(slice.requests.writes * k),
        },
      };
      extrapolated = true;
      rows.push({
        id: `reference-${n}`,
        measurement: `reference ${fmtN(n)} (sequential, extrapolated)`,
        figure: fmtSeconds(ref.wallMs),
        value: ref.wallMs / 1000,
        unit: 's',
        requests: ref.requests,
        met: null,
        note: `extrapolated linearly (×${k}) from the ${fmtN(slice.experiments)}-experiment run above`,
      });
    }
    const id = `speedup-${n}`;
    const measurement = `apply ${fmtN(n)} vs reference${extrapolated ? ' (extrapolated)' : ''}`;
    if (!engine || !ref) {
      rows.push(failedRow(id, measurement, '≥ 10×', new Error('missing engine or reference figure')));
      continue;
    }
    const ratio = ref.wallMs / engine.wallMs;
    rows.push({
      id,
      measurement,
      figure: `${ratio.toFixed(1)}× faster`,
      value: ratio,
      unit: '×',
      target: '≥ 10×',
      met: ratio >= 10,
    });
  }
}

async function benchValidation(n, manifestFile, rows) {
  log(`validate ${fmtN(n)} (in-process loadManifests, fresh worker)`);
  try {
    const out = await runWorker({
      kind: 'validate',
      inputs: [manifestFile],
      cwd: path.dirname(manifestFile),
    });
    rows.push({
      id: `validate-${n}`,
      measurement: `validate ${fmtN(n)} (library)`,
      figure: fmtSeconds(out.wallMs),
      value: out.wallMs / 1000,
      unit: 's',
      peakRssMb: out.peakRssMb,
      target: '< 2 s',
      met: out.wallMs < 2000,
    });
  } catch (err) {
    rows.push(failedRow(`validate-${n}`, `validate ${fmtN(n)} (library)`, '< 2 s', err));
  }
  const cli = path.join(ROOT, 'lib', 'cli', 'index.js');
  if (!fs.existsSync(cli)) return;
  log(`validate ${fmtN(n)} (CLI end to end)`);
  const res = await runProcess(process.execPath, [cli, 'validate', manifestFile], {
    cwd: path.dirname(manifestFile),
  });
  if (res.code !== 0) {
    rows.push(
      failedRow(
        `validate-cli-${n}`,
        `validate ${fmtN(n)} (CLI)`,
        '< 2 s',
        new Error(`exit ${res.code}: ${res.out.trim().split('\n')[0]}`),
      ),
    );
    return;
  }
  rows.push({
    id: `validate-cli-${n}`,
    measurement: `validate ${fmtN(n)} (CLI, incl. node start)`,
    figure: fmtSeconds(res.ms),
    value: res.ms / 1000,
    unit: 's',
    target: '< 2 s',
    met: res.ms < 2000,
  });
}

async function benchColdStart(tmp, rows) {
  const id = 'action-cold-start';
  const measurement = `Action cold start (validate, median of ${COLD_START_RUNS})`;
  const dist = path.join(ROOT, 'dist', 'index.js');
  if (!fs.existsSync(dist)) {
    rows.push(failedRow(id, measurement, '< 0.5 s', new Error('dist/index.js not built (npm run package)')));
    return;
  }
  log(measurement);
  const dir = path.join(tmp, 'cold-start');
  writeBenchManifest(dir, 5);
  const times = [];
  for (let i = 0; i <= COLD_START_RUNS; i++) {
    const outFile = path.join(dir, `output-${i}`);
    const summaryFile = path.join(dir, `summary-${i}`);
    fs.writeFileSync(outFile, '');
    fs.writeFileSync(summaryFile, '');
    const env = {
      PATH: process.env.PATH,
      HOME: dir,
      RUNNER_TEMP: dir,
      GITHUB_WORKSPACE: dir,
      GITHUB_OUTPUT: outFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      GITHUB_EVENT_NAME: 'push',
      INPUT_COMMAND: 'validate',
      INPUT_MANIFEST: 'mint.yaml',
    };
    const res = await runProcess(process.execPath, [dist], { cwd: dir, env });
    if (res.code !== 0) {
      rows.push(
        failedRow(
          id,
          measurement,
          '< 0.5 s',
          new Error(`exit ${res.code}: ${res.out.trim().split('\n').pop()}`),
        ),
      );
      return;
    }
    if (i > 0) times.push(res.ms); // run 0 warms the file cache
  }
  const ms = median(times);
  rows.push({
    id,
    measurement,
    figure: fmtSeconds(ms),
    value: ms / 1000,
    unit: 's',
    target: '< 0.5 s',
    met: ms < 500,
    note: `runs: ${times.map((t) => Math.round(t)).join(', ')} ms`,
  });
}

async function benchThroughput(rows) {
  log('client throughput vs sandbox capacity (loopback, no latency)');
  const sb = await startSandboxChild({});
  try {
    const project = await sb.call('POST', '/api/projects', { name: 'Throughput' });
    const exp = await sb.call('POST', '/api/experiments', {
      name: 'Throughput probe',
      experiment_type: buildBenchSpec(1).experimentType,
      project_id: project.id,
    });
    const requests = quick ? 1000 : 4000;
    const client = await runWorker({
      kind: 'throughput',
      url: sb.url,
      token: sb.token,
      experimentId: exp.id,
      requests,
      warmup: THROUGHPUT_WARMUP,
      concurrency: CONCURRENCY,
    });
    const autocannon = require('autocannon');
    const ac = await autocannon({
      url: `${sb.url}/api/experiments/${exp.id}`,
      connections: CONCURRENCY,
      duration: quick ? 2 : 5,
      headers: { authorization: `Bearer ${sb.token}` },
    });
    const capacity = ac.requests.average;
    rows.push({
      id: 'client-throughput',
      measurement: `client GET throughput (${fmtN(requests)} GETs after ${fmtN(THROUGHPUT_WARMUP)} warm-up, concurrency ${CONCURRENCY})`,
      figure: `${Math.round(client.rps)} req/s`,
      value: client.rps,
      unit: 'req/s',
      peakRssMb: client.peakRssMb,
      met: null,
    });
    rows.push({
      id: 'sandbox-capacity',
      measurement: `sandbox capacity (autocannon, ${CONCURRENCY} connections)`,
      figure: `${Math.round(capacity)} req/s`,
      value: capacity,
      unit: 'req/s',
      met: null,
      note: ac.non2xx || ac.errors ? `${ac.non2xx} non-2xx, ${ac.errors} errors` : undefined,
    });
    rows.push({
      id: 'client-vs-capacity',
      measurement: 'client throughput / sandbox capacity',
      figure: `${((client.rps / capacity) * 100).toFixed(0)} %`,
      value: client.rps / capacity,
      unit: 'ratio',
      met: null,
    });
  } catch (err) {
    rows.push(failedRow('client-throughput', 'client throughput vs sandbox capacity', undefined, err));
  } finally {
    await sb.stop();
  }
}

/**
 * Diagnostic, no target: the same fresh 10,000 apply with V8's old space capped. If it completes with a
 * much lower peak RSS, the default peak is garbage V8 had no reason to collect yet, not live data.
 */
async function benchHeapCapped(n, manifestFile, rows) {
  const id = `apply-${n}-heap-capped`;
  const measurement = `apply ${fmtN(n)} (fresh) with --max-old-space-size=${HEAP_CAP_MB}`;
  log(`${measurement} (diagnostic)`);
  const sb = await startSandboxChild({ faults: LATENCY_FAULTS });
  try {
    await sb.resetStats();
    const out = await runWorker(
      {
        inputs: [manifestFile],
        cwd: path.dirname(manifestFile),
        url: sb.url,
        token: sb.token,
        kind: 'apply',
        concurrency: CONCURRENCY,
      },
      [`--max-old-space-size=${HEAP_CAP_MB}`],
    );
    const stats = await sb.stats();
    rows.push({
      id,
      measurement,
      figure: fmtSeconds(out.wallMs),
      value: out.wallMs / 1000,
      unit: 's',
      requests: requestsOf(stats),
      peakRssMb: out.peakRssMb,
      met: null,
      diagnostic: true,
      note: 'diagnostic: shows how much of the default peak RSS is uncollected garbage; not counted in "peak RSS"',
    });
  } catch (err) {
    rows.push({ ...failedRow(id, measurement, undefined, err), diagnostic: true });
  } finally {
    await sb.stop();
  }
}

function rssRow(rows) {
  const measured = rows.filter((r) => typeof r.peakRssMb === 'number' && !r.diagnostic);
  if (!measured.length) return;
  const worst = measured.reduce((a, b) => (b.peakRssMb > a.peakRssMb ? b : a));
  rows.push({
    id: 'peak-rss',
    measurement: 'peak RSS, worst engine/loader process',
    figure: `${Math.round(worst.peakRssMb)} MB`,
    value: worst.peakRssMb,
    unit: 'MB',
    target: `< ${RSS_TARGET_MB} MB`,
    met: worst.peakRssMb < RSS_TARGET_MB,
    note: `from "${worst.measurement}"`,
  });
}

/** The request-count limit: every request at 20 ms, 16 at a time. */
function limitMs(requests) {
  return ((requests.reads + requests.writes) * LATENCY_MS) / CONCURRENCY;
}

/**
 * A no-op plan of 1,000 managed experiments against a MINT that also holds 100,000 experiments of
 * other people (seeded in the sandbox), then the same plan after one of ours was moved into one of
 * their projects: the ownership scan must still find it (one update, no create).
 */
async function benchForeign(manifestFile, rows) {
  const id = 'noop-plan-1000-foreign-100000';
  const measurement = `no-op plan ${fmtN(FOREIGN_MANAGED)} with ${fmtN(FOREIGN)} foreign`;
  const target = `< ${FOREIGN_TARGET_S} s, < ${FOREIGN_RSS_MB} MB, 0 writes`;
  const sb = await startSandboxChild({ faults: LATENCY_FAULTS });
  const base = { inputs: [manifestFile], cwd: path.dirname(manifestFile), url: sb.url, token: sb.token };
  try {
    log(`${measurement}: seeding ${fmtN(FOREIGN)} experiments of other people`);
    const seeded = await sb.call('POST', '/_sandbox/seed', { experiments: FOREIGN, projects: 20 });
    log(`  applying the ${fmtN(FOREIGN_MANAGED)} manifest`);
    const applied = await runWorker({ ...base, kind: 'apply', concurrency: CONCURRENCY });
    if (!applied.applySummary || applied.applySummary.failed)
      throw new Error(`the setup apply failed: ${applied.firstFailure}`);
    log(`  ${measurement} (concurrency ${CONCURRENCY}, ${LATENCY_MS} ms latency)`);
    await sb.resetStats();
    const out = await runWorker({ ...base, kind: 'plan', concurrency: CONCURRENCY });
    const stats = await sb.stats();
    const requests = requestsOf(stats);
    const ratio = out.wallMs / limitMs(requests);
    logRun(out, ratio, stats);

    // Move one of ours into a foreign project; the next plan must move it back, not create it.
    const newest = await sb.call('GET', '/api/experiments?sort_by=created_at&sort_order=desc&limit=1');
    await sb.call('PATCH', `/api/experiments/${newest.experiments[0].id}`, {
      project_id: seeded.projects[0],
    });
    const moved = await runWorker({ ...base, kind: 'plan', concurrency: CONCURRENCY });
    const found = moved.planSummary.update === 1 && moved.planSummary.create === 0;
    // On a busy machine the wall time is CPU-starved; the plan process's own CPU time tells how much.
    const notes = [
      `${ratio.toFixed(2)}× the request-count limit`,
      `plan process CPU ${fmtSeconds(out.cpuMs)}`,
    ];
    notes.push(
      found
        ? 'an experiment moved into a foreign project is found (1 update, 0 creates)'
        : `moved experiment NOT found: ${JSON.stringify(moved.planSummary)}`,
    );
    if (out.hasChanges) notes.push(`plan still has changes: ${JSON.stringify(out.planSummary)}`);
    rows.push({
      id,
      measurement,
      figure: `${fmtSeconds(out.wallMs)} (${ratio.toFixed(2)}× limit), ${stats.writes} writes`,
      value: out.wallMs / 1000,
      unit: 's',
      ratioToLimit: ratio,
      requests,
      peakRssMb: out.peakRssMb,
      target,
      met:
        out.wallMs < FOREIGN_TARGET_S * 1000 &&
        out.peakRssMb < FOREIGN_RSS_MB &&
        stats.writes === 0 &&
        !out.hasChanges &&
        found,
      note: notes.join('; '),
    });
  } catch (err) {
    rows.push(failedRow(id, measurement, target, err));
  } finally {
    await sb.stop();
  }
}

/**
 * `--only … --write`: replaces those rows in bench/results.json (by id) and keeps the others, with
 * a record of which rows were measured when, since they now come from different runs.
 */
function mergeResults(rows, loadBefore) {
  const file = path.join(__dirname, 'results.json');
  const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  const fresh = new Map(rows.map((r) => [r.id, r]));
  const merged = doc.rows.filter((r) => r.id !== 'peak-rss').map((r) => fresh.get(r.id) ?? r);
  for (const r of rows) if (!doc.rows.some((old) => old.id === r.id)) merged.push(r);
  rssRow(merged);
  const at = new Date().toISOString();
  const loadAvg = { before: round1(loadBefore), after: round1(os.loadavg()[0]) };
  const meta = {
    ...doc,
    partialUpdates: [...(doc.partialUpdates ?? []), { at, rows: [...fresh.keys()], loadAvg }],
  };
  delete meta.rows;
  meta.table = renderTable(merged);
  writeResults(file, merged, meta);
  process.stdout.write(
    `\nupdated ${[...fresh.keys()].join(', ')} in ${path.relative(process.cwd(), file)}\n`,
  );
}

async function runOnly(tmp, rows, figures) {
  for (const n of sizes) {
    await benchEngine(n, writeBenchManifest(path.join(tmp, `m${n}`), n).file, rows, figures);
  }
  if (only.has('noop-plan-1000-foreign-100000') || only.has('foreign')) {
    await benchForeign(writeBenchManifest(path.join(tmp, 'foreign'), FOREIGN_MANAGED).file, rows);
  }
}

async function main() {
  for (const p of ['sandbox/index.js', 'client/index.js', 'manifest/index.js', 'actions/index.js']) {
    if (!fs.existsSync(path.join(ROOT, 'lib', p)))
      throw new Error(`lib/${p} is missing: run \`npm run build\` first`);
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-bench-'));
  const rows = [];
  const figures = {};
  const started = Date.now();
  const loadBefore = os.loadavg()[0];
  if (loadBefore > os.cpus().length * 0.5) {
    log(
      `warning: load average ${loadBefore.toFixed(1)} on ${os.cpus().length} CPUs: other work will skew the figures`,
    );
  }
  if (only) {
    try {
      await runOnly(tmp, rows, figures);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
    process.stdout.write(renderTable(rows) + '\n');
    if (process.argv.includes('--write')) mergeResults(rows, loadBefore);
    return;
  }
  if (foreignOnly) {
    try {
      await benchForeign(writeBenchManifest(path.join(tmp, 'foreign'), FOREIGN_MANAGED).file, rows);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
    process.stdout.write(renderTable(rows) + '\n');
    return;
  }
  try {
    const manifests = {};
    for (const n of sizes) manifests[n] = writeBenchManifest(path.join(tmp, `m${n}`), n).file;
    for (const n of sizes) {
      await benchEngine(n, manifests[n], rows, figures);
      if (n <= REFERENCE_SLICE) await benchReference(n, rows, figures);
    }
    speedupRows(rows, figures);
    await benchForeign(manifests[FOREIGN_MANAGED], rows);
    const biggest = sizes[sizes.length - 1];
    if (!quick) await benchHeapCapped(biggest, manifests[biggest], rows);
    await benchValidation(biggest, manifests[biggest], rows);
    await benchColdStart(tmp, rows);
    await benchThroughput(rows);
    rssRow(rows);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const table = renderTable(rows);
  const loadAvg = { before: round1(loadBefore), after: round1(os.loadavg()[0]) };
  process.stdout.write(
    `\nmint-manifest bench${quick ? ' (--quick)' : ''}: concurrency ${CONCURRENCY}, ${LATENCY_MS} ms injected ` +
      `latency per request, ${os.cpus().length} CPUs, node ${process.version}, ` +
      `load average ${loadAvg.before} before / ${loadAvg.after} after\n\n`,
  );
  process.stdout.write(table + '\n');
  const resultsFile = path.join(__dirname, 'results.json');
  writeResults(resultsFile, rows, {
    quick,
    concurrency: CONCURRENCY,
    latencyMs: LATENCY_MS,
    loadAvg,
    durationS: Math.round((Date.now() - started) / 1000),
    table,
  });
  process.stdout.write(`\nwritten: ${path.relative(process.cwd(), resultsFile)}\n`);
}

process.on('SIGINT', () => {
  killChildren();
  process.exit(130);
});

main().catch((err) => {
  killChildren();
  process.stderr.write(`bench: ${errorMessage(err)}\n`);
  process.exit(1);
});
