// The one-shot CI upload: one analysis result or one design payload, read from a JSON/YAML file
// and PUT (an upsert, so re-running a pipeline step is harmless).
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { MintClient } from '../client/index.js';
import type { AnalysisResult, DesignData, Experiment, JsonValue } from '../client/models.js';
import { parseDataText } from '../manifest/files.js';
import { KEY_TAG, STACK_TAG } from '../manifest/model.js';
import { OperationError } from './errors.js';

export type UploadKind = 'result' | 'design';

export interface UploadOptions {
  client: MintClient;
  /** An experiment_code, or a manifest key (then `stack` is needed). */
  experiment: string;
  stack?: string;
  kind: UploadKind;
  pluginId: string;
  file: string;
  /** Design data only; default "1.0". */
  schemaVersion?: string;
  /** Base of a relative `file`; default process.cwd(). */
  cwd?: string;
  /** Default 10 MiB. */
  maxFileBytes?: number;
}

export interface UploadResult {
  experiment: Experiment;
  /** How the experiment was found. */
  matchedBy: 'code' | 'key';
  kind: UploadKind;
  pluginId: string;
  /** What MINT stored. */
  record: DesignData | AnalysisResult;
}

export const DEFAULT_UPLOAD_MAX_BYTES = 10 * 1024 * 1024;

/** A file that cannot be uploaded: one line naming the file, what is wrong and what to do. */
export class UploadFileError extends OperationError {
  readonly file: string;
  constructor(file: string, message: string) {
    super(message);
    this.file = file;
  }
}

export class ExperimentNotFoundError extends OperationError {}

export async function upload(opts: UploadOptions): Promise<UploadResult> {
  if (!opts.pluginId.trim())
    throw new OperationError('upload needs a plugin id (--plugin), e.g. --plugin peak-qc');
  // Read and check the file first: a bad file must not cost a round of MINT requests.
  const value = await readDataFile(opts.file, { cwd: opts.cwd, maxBytes: opts.maxFileBytes });
  const { experiment, matchedBy } = await findExperiment(opts.client, opts.experiment, opts.stack);
  let record: DesignData | AnalysisResult;
  if (opts.kind === 'design') {
    record = await opts.client.experiments.designData.save(experiment.id, {
      plugin_id: opts.pluginId,
      data: value,
      schema_version: opts.schemaVersion ?? '1.0',
    });
  } else {
    record = await opts.client.experiments.analysis.save(experiment.id, opts.pluginId, value);
  }
  return { experiment, matchedBy, kind: opts.kind, pluginId: opts.pluginId, record };
}

async function firstWithCode(list: AsyncIterable<Experiment>, code: string): Promise<Experiment | undefined> {
  for await (const e of list) if (e.experiment_code === code) return e;
  return undefined;
}

function tag(e: Experiment, name: string): unknown {
  return e.tags && typeof e.tags === 'object' ? (e.tags as Record<string, unknown>)[name] : undefined;
}

/**
 * With a stack: by manifest key (ownership tags), else by experiment_code. Without: by code only,
 * since a bare key means nothing outside its stack.
 */
export async function findExperiment(
  client: MintClient,
  ref: string,
  stack?: string,
): Promise<{ experiment: Experiment; matchedBy: 'code' | 'key' }> {
  const wanted = ref.trim();
  if (!wanted) throw new OperationError('upload needs an experiment (--experiment CODE or KEY)');
  let byCode: Experiment | undefined;
  const byKey: Experiment[] = [];
  if (stack) {
    // Keys live in tags, which no server-side filter covers: one pass over every experiment.
    for await (const e of client.experiments.iterate()) {
      if (tag(e, STACK_TAG) === stack && tag(e, KEY_TAG) === wanted) byKey.push(e);
      if (!byCode && e.experiment_code === wanted) byCode = e;
    }
  } else {
    // The text search narrows the listing where the server supports it; matching is exact here,
    // and a full pass follows in case the search does not cover codes.
    byCode = await firstWithCode(client.experiments.iterate({ search: wanted }), wanted);
    byCode ??= await firstWithCode(client.experiments.iterate(), wanted);
  }
  if (byKey.length > 1) {
    const codes = byKey.map((e) => e.experiment_code).join(', ');
    throw new OperationError(
      `experiment key "${wanted}" is claimed by ${byKey.length} experiments of stack ${stack} (${codes}): pass the experiment code instead`,
    );
  }
  if (byKey.length === 1) return { experiment: byKey[0], matchedBy: 'key' };
  if (byCode) return { experiment: byCode, matchedBy: 'code' };
  const how = stack
    ? `no experiment has code "${wanted}" or key "${wanted}" in stack ${stack}`
    : `no experiment has code "${wanted}"`;
  const hint = stack
    ? 'check the code/key, or apply the manifest first so the experiment exists'
    : 'check the code, or pass --stack to find it by its manifest key';
  throw new ExperimentNotFoundError(`${how}: ${hint}`);
}

/** Reads a JSON or YAML data file, within a size cap, reporting `file:line:col` on a parse error. */
export async function readDataFile(
  file: string,
  opts: { cwd?: string; maxBytes?: number } = {},
): Promise<JsonValue> {
  const abs = path.resolve(opts.cwd ?? process.cwd(), file);
  const max = opts.maxBytes ?? DEFAULT_UPLOAD_MAX_BYTES;
  let stat;
  try {
    stat = await fs.stat(abs);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new UploadFileError(file, `cannot read ${file}: ${why} (looked in ${path.dirname(abs)})`);
  }
  if (!stat.isFile())
    throw new UploadFileError(file, `${file} is not a file: give the path of a JSON or YAML file`);
  if (stat.size > max) {
    throw new UploadFileError(
      file,
      `${file} is ${formatSize(stat.size)}, over the ${formatSize(max)} upload limit: store large raw data elsewhere and upload a summary`,
    );
  }
  const parsed = parseDataText(file, await fs.readFile(abs, 'utf8'), path.extname(abs));
  if (!parsed.ok) {
    const d = parsed.diagnostics[0];
    throw new UploadFileError(
      file,
      `${d.file}:${d.line}:${d.column}: ${d.message}${d.hint ? ` (${d.hint})` : ''}`,
    );
  }
  // A pipeline that wrote `null` (or nothing) must not overwrite the stored data with null.
  if (parsed.value === null)
    throw new UploadFileError(
      file,
      `${file} holds no data (empty or null): refusing to upload it; nothing was sent to MINT`,
    );
  return parsed.value;
}

function formatSize(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.ceil(bytes / 1024)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}
