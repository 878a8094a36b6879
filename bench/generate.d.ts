// Types for generate.js, so the reliability tests (TypeScript) share the bench's manifest generator.
export interface BenchExperiment {
  key: string;
  name: string;
  experiment_type: string;
  tags: Record<string, string>;
  design: { plugin_id: string; schema_version: string; data: Record<string, unknown> };
  analysis: { plugin_id: string; result: Record<string, unknown> };
}

export interface BenchSpec {
  stack: string;
  projectKey: string;
  projectName: string;
  experimentType: string;
  experiments: BenchExperiment[];
}

export interface BenchSpecOptions {
  experimentType?: string;
  stack?: string;
}

export const BENCH_STACK: string;
export const BENCH_PROJECT_NAME: string;
export const DEFAULT_EXPERIMENT_TYPE: string;
export const DESIGN_PLUGIN: string;
export const RESULT_PLUGIN: string;
export function buildBenchSpec(n: number, opts?: BenchSpecOptions): BenchSpec;
export function toYaml(spec: BenchSpec): string;
export function writeBenchManifest(
  dir: string,
  n: number,
  opts?: BenchSpecOptions,
): { file: string; spec: BenchSpec };
