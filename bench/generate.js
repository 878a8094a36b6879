'use strict';
// Deterministic bench manifests: the same N always yields the same experiments, so the first 1,000 of
// the 10,000 manifest are exactly the 1,000 manifest (the reference slice relies on this).
const fs = require('node:fs');
const path = require('node:path');

const BENCH_STACK = 'bench';
const BENCH_PROJECT_KEY = 'bench';
const BENCH_PROJECT_NAME = 'Bench project';
const DEFAULT_EXPERIMENT_TYPE = 'lcms_batch';
const DESIGN_PLUGIN = 'lcms-sequence';
const RESULT_PLUGIN = 'peak-qc';

function pad(n) {
  return String(n).padStart(5, '0');
}

/** A small but realistic design payload (~400 bytes of JSON) and a result (~100 bytes). */
function buildExperiment(i, experimentType) {
  const key = `exp-${pad(i)}`;
  const samples = [];
  for (let s = 0; s < 6; s++) {
    samples.push({
      id: `S${pad(i)}-${s + 1}`,
      well: `${'ABCDEFGH'[s % 8]}${(i % 12) + 1}`,
      volume_ul: 5 + s,
    });
  }
  return {
    key,
    name: `Bench ${key}`,
    experiment_type: experimentType,
    tags: {
      batch: `b${String(Math.floor(i / 100)).padStart(3, '0')}`,
      tracer: i % 2 ? '13C-glucose' : '15N-glutamine',
    },
    design: { plugin_id: DESIGN_PLUGIN, schema_version: '1.0', data: { method: 'hilic-neg', samples } },
    analysis: {
      plugin_id: RESULT_PLUGIN,
      result: { passed: i % 7 !== 0, peaks: 100 + (i % 50), score: (i % 100) / 100 },
    },
  };
}

/** The plain data both the engine (through YAML) and the reference client (directly) work from. */
function buildBenchSpec(n, opts = {}) {
  const experimentType = opts.experimentType || DEFAULT_EXPERIMENT_TYPE;
  const stack = opts.stack || BENCH_STACK;
  const experiments = [];
  for (let i = 1; i <= n; i++) experiments.push(buildExperiment(i, experimentType));
  return {
    stack,
    projectKey: BENCH_PROJECT_KEY,
    projectName: BENCH_PROJECT_NAME,
    experimentType,
    experiments,
  };
}

// JSON is valid YAML flow syntax, so payloads are written as JSON: compact, and still located by the loader.
function toYaml(spec) {
  const out = [];
  out.push('version: 1');
  out.push(`stack: ${spec.stack}`);
  out.push('defaults:');
  out.push(`  project: ${spec.projectKey}`);
  out.push(`  experiment_type: ${spec.experimentType}`);
  out.push('projects:');
  out.push(`  - key: ${spec.projectKey}`);
  out.push(`    name: ${spec.projectName}`);
  out.push('experiments:');
  for (const e of spec.experiments) {
    out.push(`  - key: ${e.key}`);
    out.push(`    name: ${e.name}`);
    out.push(`    tags: ${JSON.stringify(e.tags)}`);
    out.push('    design:');
    out.push(`      plugin_id: ${e.design.plugin_id}`);
    out.push(`      schema_version: "${e.design.schema_version}"`);
    out.push(`      data: ${JSON.stringify(e.design.data)}`);
    out.push('    analysis:');
    out.push(`      - plugin_id: ${e.analysis.plugin_id}`);
    out.push(`        result: ${JSON.stringify(e.analysis.result)}`);
  }
  return out.join('\n') + '\n';
}

/** Writes `<dir>/mint.yaml` for n experiments and returns its path and the spec. */
function writeBenchManifest(dir, n, opts = {}) {
  fs.mkdirSync(dir, { recursive: true });
  const spec = buildBenchSpec(n, opts);
  const file = path.join(dir, 'mint.yaml');
  fs.writeFileSync(file, toYaml(spec));
  return { file, spec };
}

module.exports = {
  BENCH_STACK,
  BENCH_PROJECT_NAME,
  DEFAULT_EXPERIMENT_TYPE,
  DESIGN_PLUGIN,
  RESULT_PLUGIN,
  buildBenchSpec,
  toYaml,
  writeBenchManifest,
};
