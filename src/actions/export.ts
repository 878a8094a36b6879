// Live MINT → a manifest (plus design/result files) that a lab can commit to adopt what exists.
// Experiments are claimed (tagged with this stack and key) unless told not to, so that `plan`
// on the written manifest right after shows no changes.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { Document, isMap, isSeq } from 'yaml';
import type { MintClient } from '../client/index.js';
import type {
  AnalysisResult,
  DesignData,
  Experiment,
  JsonObject,
  JsonValue,
  Project,
} from '../client/models.js';
import { KEY_TAG, STACK_TAG, TAG_PREFIX } from '../manifest/model.js';
import { OperationError } from './errors.js';
import { mapLimit } from '../concurrency.js';
import { isNotFound } from './read.js';
import type { EventSink } from './types.js';

export interface ExportOptions {
  client: MintClient;
  /** Project name or numeric id; all experiments when absent. */
  project?: string;
  stack: string;
  experimentType?: string;
  /** The manifest to write; design/result files go beside it under designs/ and results/. */
  outFile: string;
  /** Base of a relative outFile; default process.cwd(). */
  cwd?: string;
  /** Tag unowned experiments with this stack and their key (default true). */
  claim?: boolean;
  /** Overwrite an existing outFile (default false). */
  force?: boolean;
  concurrency?: number;
  onEvent?: EventSink;
}

export interface ExportSkip {
  code: string;
  reason: string;
}

export interface ExportResult {
  /** Absolute path of the manifest written. */
  outFile: string;
  stack: string;
  experiments: number;
  projects: number;
  /** Design and result files written, relative to the manifest's folder. */
  files: string[];
  /** Experiments tagged with this stack by this export. */
  claimed: string[];
  /** Experiments left out (e.g. owned by another stack) or not claimed (e.g. no permission). */
  skipped: ExportSkip[];
}

const STACK_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
const KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

interface Entry {
  experiment: Experiment;
  key: string;
  owned: boolean;
  design?: DesignData;
  results: AnalysisResult[];
}

/** A manifest key from free text: lowercase, `[a-z0-9._-]`, starting with a letter or digit. */
export function slugify(text: string, fallback = 'item'): string {
  const slug = text
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .replace(/-+$/, '')
    .slice(0, 100);
  return slug || fallback;
}

function uniqueName(base: string, taken: Set<string>): string {
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}-${i}`;
  taken.add(name);
  return name;
}

/** `<stem>.json`, or `<stem>-2.json`, … when taken (two plugin ids can slug alike). */
function uniqueJsonFile(stem: string, taken: Set<string>): string {
  let name = `${stem}.json`;
  for (let i = 2; taken.has(name); i++) name = `${stem}-${i}.json`;
  taken.add(name);
  return name;
}

function tagOf(e: Experiment, tag: string): string | undefined {
  const v = e.tags && typeof e.tags === 'object' ? (e.tags as Record<string, unknown>)[tag] : undefined;
  return typeof v === 'string' ? v : undefined;
}

async function resolveProjectFilter(client: MintClient, ref: string): Promise<Project> {
  const wanted = ref.trim();
  if (/^\d+$/.test(wanted)) {
    try {
      return await client.projects.get(Number(wanted));
    } catch (err) {
      if (isNotFound(err)) throw new OperationError(`no MINT project has id ${wanted}: check --project`);
      throw err;
    }
  }
  const found = (await client.projects.list({ search: wanted })).filter((p) => p.name === wanted);
  if (found.length === 0)
    throw new OperationError(`no MINT project is named "${wanted}": check --project (name or id)`);
  if (found.length > 1) {
    const ids = found.map((p) => p.id).join(', ');
    throw new OperationError(
      `${found.length} MINT projects are named "${wanted}" (ids ${ids}): pass --project with the id`,
    );
  }
  return found[0];
}

export async function exportManifest(opts: ExportOptions): Promise<ExportResult> {
  const { client, stack } = opts;
  const emit = opts.onEvent ?? (() => undefined);
  const concurrency = opts.concurrency ?? 8;
  if (!STACK_PATTERN.test(stack)) {
    throw new OperationError(
      `stack "${stack}" is not a valid stack name: use lowercase letters, digits and "-" (e.g. tca-flux)`,
    );
  }
  const outFile = path.resolve(opts.cwd ?? process.cwd(), opts.outFile);
  const baseDir = path.dirname(outFile);
  if (!opts.force && (await exists(outFile))) {
    throw new OperationError(
      `${opts.outFile} already exists: choose another --out, or pass --force to overwrite it`,
    );
  }

  emit({ type: 'read.start', what: 'experiments' });
  const filterProject =
    opts.project !== undefined ? await resolveProjectFilter(client, opts.project) : undefined;
  // project_id is an inferred filter a server may ignore, so every record is checked here too:
  // export must never write (or tag) another project's experiments
  const listed = await client.experiments.list({
    ...(filterProject ? { project_id: filterProject.id, project: filterProject.name } : {}),
    ...(opts.experimentType ? { experiment_type: opts.experimentType } : {}),
  });
  const live = listed.filter(
    (e) =>
      (!filterProject || e.project_id === filterProject.id) &&
      (!opts.experimentType || e.experiment_type === opts.experimentType),
  );
  emit({ type: 'read.progress', done: live.length });

  const skipped: ExportSkip[] = [];
  const keys = new Set<string>();
  const entries: Entry[] = [];
  // Experiments this stack already owns keep their keys; the rest get a key from their code.
  const sorted = [...live].sort((a, b) => a.id - b.id);
  for (const e of sorted) {
    const owner = tagOf(e, STACK_TAG);
    const key = tagOf(e, KEY_TAG);
    if (owner === stack && key && KEY_PATTERN.test(key)) {
      if (keys.has(key)) {
        skipped.push({
          code: e.experiment_code,
          reason: `another experiment already holds key ${key} of stack ${stack}`,
        });
        continue;
      }
      keys.add(key);
      entries.push({ experiment: e, key, owned: true, results: [] });
    }
  }
  for (const e of sorted) {
    const owner = tagOf(e, STACK_TAG);
    if (owner === stack && entries.some((x) => x.experiment.id === e.id)) continue;
    if (owner !== undefined && owner !== stack) {
      skipped.push({ code: e.experiment_code, reason: `owned by stack "${owner}"` });
      continue;
    }
    if (owner === stack) continue; // a duplicate key, reported above
    entries.push({
      experiment: e,
      key: uniqueName(slugify(e.experiment_code, `exp-${e.id}`), keys),
      owned: false,
      results: [],
    });
  }
  entries.sort((a, b) => a.experiment.id - b.experiment.id);

  emit({ type: 'read.start', what: 'design data and analysis results' });
  const results = new ResultReader(client);
  let done = 0;
  await mapLimit(entries, concurrency, async (entry) => {
    const id = entry.experiment.id;
    if (entry.experiment.has_design_data !== false) {
      try {
        entry.design = await client.experiments.designData.get(id);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    entry.results = await results.read(id);
    emit({ type: 'read.progress', done: ++done, total: entries.length });
  });
  emit({ type: 'read.done', experiments: entries.length });

  const projects = await projectKeys(client, entries, filterProject);
  const files = new Map<string, JsonValue>();
  const doc = buildDocument(stack, entries, projects, files, client.baseUrl);

  for (const [rel, value] of files) {
    const abs = path.join(baseDir, rel);
    await fs.mkdir(path.dirname(abs), { recursive: true });
    await fs.writeFile(abs, `${JSON.stringify(value, null, 2)}\n`);
  }
  await fs.mkdir(baseDir, { recursive: true });
  await fs.writeFile(outFile, doc.toString({ lineWidth: 0 }));

  const claimed: string[] = [];
  if (opts.claim !== false) {
    await mapLimit(
      entries.filter((x) => !x.owned),
      concurrency,
      async (entry) => {
        const e = entry.experiment;
        const tags: JsonObject = { ...(e.tags ?? {}), [STACK_TAG]: stack, [KEY_TAG]: entry.key };
        try {
          await client.experiments.update(e.id, { tags });
          claimed.push(e.experiment_code);
        } catch (err) {
          skipped.push({
            code: e.experiment_code,
            reason: `not claimed (${(err as Error).message}); apply the manifest to adopt it by code`,
          });
        }
      },
    );
  }
  return {
    outFile,
    stack,
    experiments: entries.length,
    projects: projects.size,
    files: [...files.keys()],
    claimed: claimed.sort(),
    skipped,
  };
}

/**
 * Every analysis result of an experiment. The list route is inferred and MINT's own SDK never
 * calls it: when it answers 404/405 (once, for the whole run) results are read per plugin, for
 * every plugin the server lists.
 */
class ResultReader {
  private listMissing = false;
  private plugins?: Promise<string[]>;

  constructor(private readonly client: MintClient) {}

  async read(id: number): Promise<AnalysisResult[]> {
    if (!this.listMissing) {
      try {
        return await this.client.experiments.analysis.list(id);
      } catch (err) {
        const status = (err as { status?: unknown }).status;
        if (status !== 404 && status !== 405) throw err;
        this.listMissing = true;
      }
    }
    const out: AnalysisResult[] = [];
    for (const pluginId of await this.pluginIds()) {
      try {
        out.push(await this.client.experiments.analysis.get(id, pluginId));
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    return out;
  }

  private pluginIds(): Promise<string[]> {
    this.plugins ??= this.client.plugins.list().then(
      (list) => [
        ...new Set(list.map((p) => p.id ?? p.name).filter((x): x is string => typeof x === 'string')),
      ],
      (err: unknown) => {
        throw new OperationError(
          `this MINT server has no route listing an experiment's analysis results, and its plugin list ` +
            `could not be read (${(err as Error).message}): export cannot tell which results exist`,
        );
      },
    );
    return this.plugins;
  }
}

interface ProjectRef {
  key: string;
  name?: string;
  id?: number;
}

/**
 * One manifest project per live project used. Referenced by name when that name is unique in
 * MINT (readable, portable), else by id (a name shared by two projects would be ambiguous).
 */
async function projectKeys(
  client: MintClient,
  entries: Entry[],
  filterProject: Project | undefined,
): Promise<Map<number, ProjectRef>> {
  const ids = [
    ...new Set(
      entries.map((e) => e.experiment.project_id).filter((id): id is number => typeof id === 'number'),
    ),
  ];
  const out = new Map<number, ProjectRef>();
  if (ids.length === 0) return out;
  const all = await client.projects.list();
  const byId = new Map(all.map((p) => [p.id, p]));
  if (filterProject) byId.set(filterProject.id, filterProject);
  const nameCount = new Map<string, number>();
  for (const p of all) nameCount.set(p.name, (nameCount.get(p.name) ?? 0) + 1);
  const taken = new Set<string>();
  for (const id of ids.sort((a, b) => a - b)) {
    const p = byId.get(id) ?? (await client.projects.get(id).catch(() => undefined));
    const name = p?.name;
    const key = uniqueName(slugify(name ?? `project-${id}`, `project-${id}`), taken);
    out.set(id, name && nameCount.get(name) === 1 ? { key, name } : { key, id });
  }
  return out;
}

function buildDocument(
  stack: string,
  entries: Entry[],
  projects: Map<number, ProjectRef>,
  files: Map<string, JsonValue>,
  source: string,
): Document {
  const taken = new Set<string>();
  const experiments = entries.map((entry) => {
    const e = entry.experiment;
    const item: Record<string, unknown> = { key: entry.key, code: e.experiment_code, name: e.name };
    item.experiment_type = e.experiment_type;
    const project = typeof e.project_id === 'number' ? projects.get(e.project_id) : undefined;
    if (project) item.project = project.key;
    item.status = e.status;
    if (typeof e.notes === 'string' && e.notes !== '') item.notes = e.notes;
    const tags = userTags(e.tags);
    if (Object.keys(tags).length > 0) item.tags = tags;
    if (e.start_date) item.start_date = e.start_date;
    if (e.end_date) item.end_date = e.end_date;
    if (entry.design) {
      const rel = uniqueJsonFile(`designs/${slugify(entry.key)}`, taken);
      files.set(rel, entry.design.data);
      item.design = {
        plugin_id: entry.design.plugin_id,
        schema_version: String(entry.design.schema_version ?? '1.0'),
        data_file: rel,
      };
    }
    const results = [...entry.results].sort((a, b) => (a.plugin_id < b.plugin_id ? -1 : 1));
    if (results.length > 0) {
      item.analysis = results.map((r) => {
        const rel = uniqueJsonFile(`results/${slugify(entry.key)}-${slugify(r.plugin_id, 'plugin')}`, taken);
        files.set(rel, r.result);
        return { plugin_id: r.plugin_id, result_file: rel };
      });
    }
    return item;
  });
  const body: Record<string, unknown> = { version: 1, stack };
  const projectList = [...projects.values()];
  if (projectList.length > 0) body.projects = projectList;
  body.experiments = experiments;
  const doc = new Document(body);
  doc.commentBefore =
    ` Exported from ${source} by \`mint-manifest export\` on ${new Date().toISOString().slice(0, 10)}.\n` +
    ' Each experiment is adopted by its `code`; design data and results are in the files named below.\n' +
    ' Fields left out are not managed. Review with `mint-manifest plan`.';
  // A blank line between experiments keeps long manifests readable.
  const list = isMap(doc.contents) ? doc.contents.get('experiments', true) : undefined;
  if (isSeq(list))
    list.items.forEach((node, i) => i > 0 && ((node as { spaceBefore?: boolean }).spaceBefore = true));
  return doc;
}

/** Tags a manifest can hold: ours removed, only scalar values (the schema allows no nesting). */
function userTags(tags: JsonObject | null | undefined): JsonObject {
  const out: JsonObject = {};
  if (!tags || typeof tags !== 'object') return out;
  for (const [k, v] of Object.entries(tags)) {
    if (k.startsWith(TAG_PREFIX) || k === '') continue;
    if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) out[k] = v;
  }
  return out;
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}
