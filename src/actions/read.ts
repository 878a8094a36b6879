// Reads the live MINT state a manifest is planned against. Reads each thing once, bounded concurrency.
import type { MintClient } from '../client/index.js';
import type { AnalysisResult, Experiment, ExperimentListFilters, Project } from '../client/models.js';
import { KEY_TAG, STACK_TAG } from '../manifest/model.js';
import type { ExperimentSpec, ProjectSpec, ResolvedManifest } from '../manifest/model.js';
import { emptyLiveState, type LiveExperiment, type LiveState } from './live.js';
import { createLimiter, forEachLimit, mapLimit, type Limiter } from './limiter.js';
import type { EventSink } from './types.js';

export const DEFAULT_CONCURRENCY = 8;
const PAGE_SIZE = 100;

export interface ReadOptions {
  manifest: ResolvedManifest;
  client: MintClient;
  concurrency?: number;
  onEvent?: EventSink;
}

function statusOf(err: unknown): number | undefined {
  return typeof err === 'object' && err !== null && typeof (err as { status?: unknown }).status === 'number'
    ? (err as { status: number }).status
    : undefined;
}

export function isNotFound(err: unknown): boolean {
  return statusOf(err) === 404;
}

function tagOf(e: Experiment, tag: string): string | undefined {
  const v = e.tags && typeof e.tags === 'object' ? (e.tags as Record<string, unknown>)[tag] : undefined;
  return typeof v === 'string' ? v : undefined;
}

export function ownedBy(e: Experiment, stack: string, key?: string): boolean {
  return tagOf(e, STACK_TAG) === stack && (key === undefined || tagOf(e, KEY_TAG) === key);
}

/**
 * Every experiment matching `filters`: the first page gives `total`, the remaining pages are fetched
 * concurrently by offset. Without a total it walks on page by page until a short page.
 */
export async function listExperiments(
  client: MintClient,
  filters: ExperimentListFilters,
  limit: Limiter,
  onPage?: (count: number) => void,
): Promise<Experiment[]> {
  const call = async (skip: number) => {
    // Oldest first: an experiment created while we page lands at the end instead of shifting every
    // offset (which could hide one of ours and lead to a duplicate create).
    const p = await limit(() =>
      client.experiments.page({
        sort_by: 'created_at',
        sort_order: 'asc',
        ...filters,
        skip,
        limit: PAGE_SIZE,
      }),
    );
    onPage?.(p.experiments.length);
    return p;
  };
  const first = await call(0);
  const size = first.experiments.length;
  const total = first.total;
  if (size === 0) return [];
  if (total === undefined) {
    if (size < PAGE_SIZE) return first.experiments;
    const all = [...first.experiments];
    for (let skip = size; ;) {
      const p = await call(skip);
      all.push(...p.experiments);
      skip += p.experiments.length;
      if (p.experiments.length < PAGE_SIZE) return all;
    }
  }
  // Step by what the server actually returned: it may cap `limit` below ours.
  const offsets: number[] = [];
  for (let skip = size; skip < total; skip += size) offsets.push(skip);
  const rest = await Promise.all(offsets.map(async (skip) => (await call(skip)).experiments));
  return [...first.experiments, ...rest.flat()];
}

/** Finds the experiment that carries `stack`/`key` ownership tags (lowest id if several). */
export async function findOwnedExperiment(
  client: MintClient,
  stack: string,
  key: string,
  projectId: number | undefined,
  concurrency = DEFAULT_CONCURRENCY,
): Promise<Experiment | undefined> {
  const filters: ExperimentListFilters = projectId !== undefined ? { project_id: projectId } : {};
  const all = await listExperiments(client, filters, createLimiter(concurrency));
  const scoped = projectId !== undefined ? all.filter((e) => e.project_id === projectId) : all;
  return scoped.filter((e) => ownedBy(e, stack, key)).sort((a, b) => a.id - b.id)[0];
}

/** project_id is an inferred filter a server may ignore: keep only what the record says is in it. */
function inProject(id: number): (list: Experiment[]) => Experiment[] {
  return (list) => list.filter((e) => e.project_id === id);
}

async function resolveProject(
  client: MintClient,
  ps: ProjectSpec,
  problems: string[],
): Promise<Project | undefined> {
  if (ps.id !== undefined) {
    try {
      return await client.projects.get(ps.id);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      problems.push(
        `project ${ps.key}: no project with id ${ps.id} in MINT; fix the id or give a name to create it`,
      );
      return undefined;
    }
  }
  const name = ps.name ?? ps.key;
  const found = (await client.projects.list({ search: name })).filter((p) => p.name === name);
  if (found.length > 1) {
    const ids = found.map((p) => p.id).join(', ');
    problems.push(
      `project ${ps.key}: ${found.length} MINT projects are named "${name}" (ids ${ids}); reference one by id`,
    );
  }
  return found.sort((a, b) => a.id - b.id)[0];
}

export async function readLiveState(opts: ReadOptions): Promise<LiveState> {
  const { manifest, client } = opts;
  const emit = opts.onEvent ?? (() => undefined);
  const concurrency = opts.concurrency ?? DEFAULT_CONCURRENCY;
  const limit = createLimiter(concurrency);
  const live = emptyLiveState();
  const stack = manifest.stack;
  const specs = new Map(manifest.experiments.map((e) => [e.key, e]));

  emit({ type: 'read.start', what: 'projects' });
  const projects = await mapLimit(manifest.projects, concurrency, (ps) =>
    resolveProject(client, ps, live.problems),
  );
  manifest.projects.forEach((ps, i) => live.projects.set(ps.key, projects[i]));

  emit({ type: 'read.start', what: 'experiments' });
  // Experiments with no project may be anywhere: then the whole platform is the scope.
  const everywhere =
    manifest.projects.length === 0 || manifest.experiments.some((e) => e.project === undefined);
  const projectIds = [...new Set(projects.filter((p): p is Project => !!p).map((p) => p.id))];
  let seen = 0;
  const onPage = (n: number) => {
    seen += n;
    emit({ type: 'read.progress', done: seen });
  };
  const lists = everywhere
    ? [await listExperiments(client, {}, limit, onPage)]
    : await Promise.all(
        projectIds.map((id) =>
          listExperiments(client, { project_id: id }, limit, onPage).then(inProject(id)),
        ),
      );
  const byId = new Map<number, Experiment>();
  for (const e of lists.flat()) byId.set(e.id, e);
  const inScope = [...byId.values()].sort((a, b) => a.id - b.id);

  const claimed = new Map<string, Experiment[]>();
  for (const e of inScope) {
    if (!ownedBy(e, stack)) continue;
    const key = tagOf(e, KEY_TAG) ?? '';
    if (specs.has(key)) claimed.set(key, [...(claimed.get(key) ?? []), e]);
    else live.orphans.push({ experiment: e, key, reason: 'orphaned: no longer in the manifest' });
  }
  for (const [key, list] of claimed) {
    const [keep, ...dupes] = list;
    live.experiments.set(key, { experiment: keep, matchedBy: 'tags' });
    for (const d of dupes) {
      live.orphans.push({
        experiment: d,
        key,
        reason: `duplicate: ${keep.experiment_code} already holds key ${key}`,
      });
      live.warnings.push({
        code: 'ownership.duplicate',
        message: `experiments ${keep.experiment_code} and ${d.experiment_code} both carry key ${key} of stack ${stack}; ${d.experiment_code} is treated as an orphan`,
        key,
      });
    }
  }

  await adoptByCode(client, manifest, live, inScope, limit);

  const matched = [...live.experiments.entries()];
  let details = 0;
  const detailTotal = matched.filter(([k]) => needsDetails(specs.get(k))).length;
  if (detailTotal > 0) emit({ type: 'read.start', what: 'design data and analysis results' });
  // A bounded pool (not one pending promise per experiment): each experiment's reads go through
  // `limit`, so this only caps how many experiments are being read at once.
  await forEachLimit(matched, concurrency, async ([key, le]) => {
    const spec = specs.get(key);
    if (!spec || !needsDetails(spec)) return;
    await readDetails(client, spec, le, limit);
    emit({ type: 'read.progress', done: ++details, total: detailTotal });
  });
  emit({ type: 'read.done', experiments: live.experiments.size });
  return live;
}

function needsDetails(spec: ExperimentSpec | undefined): boolean {
  return !!spec && (spec.design !== undefined || (spec.analysis?.length ?? 0) > 0);
}

async function adoptByCode(
  client: MintClient,
  manifest: ResolvedManifest,
  live: LiveState,
  inScope: Experiment[],
  limit: Limiter,
): Promise<void> {
  const stack = manifest.stack;
  await Promise.all(
    manifest.experiments.map(async (spec) => {
      if (spec.code === undefined) return;
      const tagged = live.experiments.get(spec.key);
      if (tagged) {
        if (tagged.experiment.experiment_code !== spec.code) {
          live.warnings.push({
            code: 'adopt.code-mismatch',
            message: `experiment ${spec.key}: manifest says code ${spec.code} but ${tagged.experiment.experiment_code} already carries this key; keeping ${tagged.experiment.experiment_code}`,
            key: spec.key,
            source: spec.source,
          });
        }
        return;
      }
      let found = inScope.find((e) => e.experiment_code === spec.code);
      if (!found) {
        const hits = await limit(() => client.experiments.list({ search: spec.code }));
        found = hits.find((e) => e.experiment_code === spec.code);
      }
      if (!found) {
        live.problems.push(
          `experiment ${spec.key}: no experiment with code ${spec.code} in MINT to adopt; fix the code or remove it to create a new one`,
        );
        return;
      }
      const owner = tagOf(found, STACK_TAG);
      if (owner !== undefined && owner !== stack) {
        live.problems.push(
          `experiment ${spec.key}: ${spec.code} is owned by stack "${owner}"; it will not be taken over — release it there first or remove \`code\``,
        );
        return;
      }
      const otherKey = owner === stack ? tagOf(found, KEY_TAG) : undefined;
      if (
        otherKey !== undefined &&
        otherKey !== spec.key &&
        live.experiments.get(otherKey)?.experiment.id === found.id
      ) {
        live.problems.push(
          `experiment ${spec.key}: ${spec.code} is already managed by key ${otherKey} in this manifest; use one key for it`,
        );
        return;
      }
      const orphanAt = live.orphans.findIndex((o) => o.experiment.id === found.id);
      if (orphanAt >= 0) live.orphans.splice(orphanAt, 1);
      live.experiments.set(spec.key, { experiment: found, matchedBy: 'code' });
    }),
  );
}

async function readDetails(
  client: MintClient,
  spec: ExperimentSpec,
  le: LiveExperiment,
  limit: Limiter,
): Promise<void> {
  const id = le.experiment.id;
  const jobs: Promise<void>[] = [];
  if (spec.design !== undefined) {
    // Skip the read only on an explicit `false`: a server that omits the flag is asked.
    if (le.experiment.has_design_data === false) le.design = null;
    else
      jobs.push(
        limit(() => client.experiments.designData.get(id)).then(
          (d) => void (le.design = d),
          (err: unknown) => {
            if (!isNotFound(err)) throw err;
            le.design = null;
          },
        ),
      );
  }
  const plugins = (spec.analysis ?? []).map((a) => a.plugin_id);
  if (plugins.length > 0)
    jobs.push(readAnalysis(client, id, plugins, limit).then((m) => void (le.analysis = m)));
  await Promise.all(jobs);
}

/** One list call per experiment; per-plugin gets only when the server has no list route. */
async function readAnalysis(
  client: MintClient,
  id: number,
  plugins: string[],
  limit: Limiter,
): Promise<Map<string, AnalysisResult | null>> {
  const out = new Map<string, AnalysisResult | null>(plugins.map((p) => [p, null]));
  try {
    const all = await limit(() => client.experiments.analysis.list(id));
    for (const r of all) if (out.has(r.plugin_id)) out.set(r.plugin_id, r);
    return out;
  } catch (err) {
    const status = statusOf(err);
    if (status !== 404 && status !== 405) throw err;
  }
  await Promise.all(
    plugins.map((p) =>
      limit(() => client.experiments.analysis.get(id, p)).then(
        (r) => void out.set(p, r),
        (err: unknown) => {
          if (!isNotFound(err)) throw err;
        },
      ),
    ),
  );
  return out;
}
