// The one-shot CI upload: one analysis result or one design payload, read from a JSON/YAML file
// and PUT (an upsert, so re-running a pipeline step is harmless).
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { parseDocument } from 'yaml';
import type { MintClient } from '../client/index.js';
import type { AnalysisResult, DesignData, Experiment, JsonValue } from '../client/models.js';
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
  const text = await fs.readFile(abs, 'utf8');
  if (text.trim() === '')
    throw new UploadFileError(file, `${file} is empty: expected a JSON or YAML document`);
  const ext = path.extname(abs).toLowerCase();
  return ext === '.json' ? parseJson(file, text) : parseYamlData(file, text);
}

function formatSize(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.ceil(bytes / 1024)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

function lineCol(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = before.split('\n');
  return { line: lines.length, col: lines[lines.length - 1].length + 1 };
}

function parseJson(file: string, text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch (err) {
    const msg = (err as Error).message;
    const m = /position (\d+)/.exec(msg);
    const where = m ? lineCol(text, Number(m[1])) : undefined;
    const loc = where ? `${file}:${where.line}:${where.col}` : file;
    throw new UploadFileError(
      file,
      `${loc}: not valid JSON (${msg.replace(/ in JSON at position \d+.*$/, '')})`,
    );
  }
}

function parseYamlData(file: string, text: string): JsonValue {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const first = doc.errors[0];
  if (first) {
    const pos = first.linePos?.[0];
    const loc = pos ? `${file}:${pos.line}:${pos.col}` : file;
    throw new UploadFileError(
      file,
      `${loc}: not valid YAML or JSON (${first.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')})`,
    );
  }
  const value = doc.toJS({ maxAliasCount: 100 }) as unknown;
  if (value === undefined)
    throw new UploadFileError(file, `${file} holds no document: expected JSON or YAML`);
  return toJsonValue(file, value);
}

/** YAML can hold dates, binary and other non-JSON values; refuse them instead of mangling them. */
function toJsonValue(file: string, value: unknown, at = ''): JsonValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value))
      throw new UploadFileError(file, `${file}: ${at || 'the value'} is ${value}, which JSON cannot hold`);
    return value;
  }
  if (Array.isArray(value)) return value.map((v, i) => toJsonValue(file, v, `${at}[${i}]`));
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: { [k: string]: JsonValue } = {};
    for (const [k, v] of Object.entries(value)) out[k] = toJsonValue(file, v, at ? `${at}.${k}` : k);
    return out;
  }
  throw new UploadFileError(
    file,
    `${file}: ${at || 'the document'} is not plain JSON data (maps, lists, strings, numbers, booleans, null)`,
  );
}
