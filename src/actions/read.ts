// Reads the live MINT state a manifest is planned against. Reads each thing once, bounded concurrency.
import type { MintClient } from '../client/index.js';
import type { AnalysisResult, Experiment, ExperimentListFilters, Project } from '../client/models.js';
import { KEY_TAG, STACK_TAG } from '../manifest/model.js';
import type { ExperimentSpec, ProjectSpec, ResolvedManifest } from '../manifest/model.js';
import { emptyLiveState, type LiveExperiment, type LiveState } from './live.js';
import { createLimiter, forEachLimit, mapLimit, type Limiter } from '../concurrency.js';
import type { EventSink } from './types.js';

export const DEFAULT_CONCURRENCY = 8;

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

/** Oldest first by created_at (server clock), then id: the one stable order of ownership. */
export function olderFirst(a: Experiment, b: Experiment): number {
  const ta = Date.parse(a.created_at ?? '');
  const tb = Date.parse(b.created_at ?? '');
  if (Number.isFinite(ta) && Number.isFinite(tb) && ta !== tb) return ta - tb;
  return a.id - b.id;
}

export interface OwnershipScan {
  /** Every experiment carrying this stack's tag, oldest first. */
  owned: Experiment[];
  /** The experiments whose code the manifest adopts, by code. */
  byCode: Map<string, Experiment>;
  /** The newest created_at seen (the server's clock), to narrow a later lookup. */
  newestCreatedAt?: string;
}

export interface ScanOptions {
  /** The `code`s the manifest adopts: kept whoever owns them. */
  codes?: ReadonlySet<string>;
  /** Pages in flight once the server reports a total. */
  concurrency?: number;
  /** Narrows the read (e.g. created_after); records are checked here all the same. */
  filters?: ExperimentListFilters;
  onPage?: (count: number) => void;
}

/**
 * The ownership scan: every experiment the token can see, oldest first, through the one verified
 * pager. Only this stack's experiments and the adopted codes are kept, so memory stays bounded
 * however much else MINT holds. No server-side filter is relied on: every record is checked here.
 */
export async function scanOwnership(
  client: MintClient,
  stack: string,
  opts: ScanOptions = {},
): Promise<OwnershipScan> {
  const codes = opts.codes ?? new Set<string>();
  const owned: Experiment[] = [];
  const byCode = new Map<string, Experiment>();
  let newest: { at: number; text: string } | undefined;
  const pages = client.experiments.pages(
    { ...opts.filters, sort_by: 'created_at', sort_order: 'asc' },
    { concurrency: opts.concurrency ?? DEFAULT_CONCURRENCY },
  );
  for await (const page of pages) {
    for (const e of page) {
      if (ownedBy(e, stack)) owned.push(e);
      if (codes.has(e.experiment_code)) byCode.set(e.experiment_code, e);
      const at = Date.parse(e.created_at ?? '');
      if (Number.isFinite(at) && (!newest || at > newest.at)) newest = { at, text: e.created_at as string };
    }
    opts.onPage?.(page.length);
  }
  owned.sort(olderFirst);
  return { owned, byCode, newestCreatedAt: newest?.text };
}

/** Margin below the newest created_at seen, for clocks of several MINT nodes and coarse timestamps. */
const LOOKUP_MARGIN_MS = 10 * 60_000;

/** `created_after` for a lookup of what was created since a scan that saw `newest`. */
export function createdSince(newest: string | undefined): ExperimentListFilters {
  const t = newest === undefined ? NaN : Date.parse(newest);
  return Number.isFinite(t) ? { created_after: new Date(t - LOOKUP_MARGIN_MS).toISOString() } : {};
}

/**
 * The experiment carrying `stack`/`key` ownership tags that an ambiguous create may have stored: a
 * filtered pass of the same pager, newest first (only what was created since `newestCreatedAt`,
 * when known; a server that ignores the filter just returns more), every record checked here. It
 * stops at the first page that holds a match, so creates still landing behind it (our own, in
 * parallel) do not make it read a moving listing to the end. Several matches → the oldest.
 */
export async function findOwnedExperiment(
  client: MintClient,
  stack: string,
  key: string,
  opts: { newestCreatedAt?: string; concurrency?: number } = {},
): Promise<Experiment | undefined> {
  const pages = client.experiments.pages(
    { ...createdSince(opts.newestCreatedAt), sort_by: 'created_at', sort_order: 'desc' },
    { concurrency: Math.min(4, opts.concurrency ?? DEFAULT_CONCURRENCY) },
  );
  for await (const page of pages) {
    const hits = page.filter((e) => ownedBy(e, stack, key));
    if (hits.length > 0) return hits.sort(olderFirst)[0];
  }
  return undefined;
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
  emit({ type: 'read.start', what: 'experiments' });
  let seen = 0;
  // Projects and the ownership scan are independent: read them at the same time.
  const [projects, scan] = await Promise.all([
    mapLimit(manifest.projects, concurrency, (ps) => resolveProject(client, ps, live.problems)),
    scanOwnership(client, stack, {
      codes: new Set(manifest.experiments.flatMap((e) => (e.code !== undefined ? [e.code] : []))),
      concurrency,
      onPage: (n) => emit({ type: 'read.progress', done: (seen += n) }),
    }),
  ]);
  manifest.projects.forEach((ps, i) => live.projects.set(ps.key, projects[i]));
  live.newestCreatedAt = scan.newestCreatedAt;
  classifyOwned(scan.owned, stack, specs, live);

  adoptByCode(manifest, live, scan.byCode);

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

/**
 * Sorts this stack's experiments (oldest first) into managed (the oldest per key), duplicates (every
 * copy of a key held twice or more), unkeyed (stack tag, no key tag) and orphans (key not in the manifest).
 */
function classifyOwned(
  owned: Experiment[],
  stack: string,
  specs: Map<string, ExperimentSpec>,
  live: LiveState,
): void {
  const claimed = new Map<string, Experiment[]>();
  for (const e of owned) {
    const key = tagOf(e, KEY_TAG);
    if (key === undefined || key === '') live.unkeyed.push(e);
    else if (specs.has(key)) claimed.set(key, [...(claimed.get(key) ?? []), e]);
    else live.orphans.push({ experiment: e, key, reason: 'orphaned: no longer in the manifest' });
  }
  for (const [key, list] of claimed) {
    live.experiments.set(key, { experiment: list[0], matchedBy: 'tags' });
    // a problem the plan reports under "Duplicates"; the key is left alone until it is resolved
    if (list.length >= 2) live.duplicates.set(key, list);
  }
}

function adoptByCode(manifest: ResolvedManifest, live: LiveState, byCode: Map<string, Experiment>): void {
  for (const spec of manifest.experiments) adoptOne(spec, manifest.stack, live, byCode);
}

function adoptOne(
  spec: ExperimentSpec,
  stack: string,
  live: LiveState,
  byCode: Map<string, Experiment>,
): void {
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
  const found = byCode.get(spec.code);
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
  const unkeyedAt = live.unkeyed.findIndex((e) => e.id === found.id);
  if (unkeyedAt >= 0) live.unkeyed.splice(unkeyedAt, 1);
  live.experiments.set(spec.key, { experiment: found, matchedBy: 'code' });
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
