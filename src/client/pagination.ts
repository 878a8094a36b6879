// List envelopes and the one skip/limit pager (shared/mint-api.md "Lists"), used by the client's
// iterators and by the engine's ownership scan alike. Every page is verified, never trusted.

/** The contract's default page size (what one `page()` call asks for). */
export const DEFAULT_PAGE_SIZE = 100;
/** What the pager asks for when the caller sets no limit; a server that refuses it gets DEFAULT_PAGE_SIZE. */
export const MAX_PAGE_SIZE = 1000;

export interface Page<T> {
  items: T[];
  /** From the envelope; undefined when the server did not say. */
  total?: number;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Unwraps, in order: a plain array; the resource key; `items`; `data`. */
export function unwrapList<T>(body: unknown, key: string): Page<T> {
  if (Array.isArray(body)) return { items: body as T[] };
  const total =
    isRecord(body) && typeof body.total === 'number' && Number.isFinite(body.total) ? body.total : undefined;
  if (isRecord(body)) {
    for (const k of [key, 'items', 'data']) {
      if (Array.isArray(body[k])) return { items: body[k] as T[], total };
    }
  }
  if (total === 0) return { items: [], total };
  // Never read an unknown shape as "nothing there": the engine would then create duplicates.
  throw new UnexpectedResponseError(
    `the list response has none of \`${key}\`, \`items\`, \`data\` and is not an array`,
  );
}

/** A 2xx response whose body is not a shape the contract allows. */
export class UnexpectedResponseError extends Error {
  override name = 'UnexpectedResponseError';
  /** True when the request was a write that MINT may have stored anyway (a create without an id). */
  readonly mayHaveCommitted: boolean;
  constructor(message: string, opts: { mayHaveCommitted?: boolean } = {}) {
    super(message);
    this.mayHaveCommitted = opts.mayHaveCommitted ?? false;
  }
}

/**
 * A listing whose pages do not add up (repeated ids, an empty page before `total`, a `total` that
 * changed during the read). Nothing built from it can be trusted, so nothing is planned.
 */
export class ListingInconsistentError extends Error {
  override name = 'ListingInconsistentError';
  constructor(readonly detail: string) {
    super(
      `MINT's listing was inconsistent; nothing was planned (${detail}). Run it again; if this persists, MINT's paging of this list is unreliable`,
    );
  }
}

/** Options of the client's list/pages/iterate beyond the query. */
export interface ListOptions {
  /** Pages in flight once the server has reported a total. */
  concurrency?: number;
}

/** Pages in flight for `list()` (which collects everything anyway). */
export const LIST_CONCURRENCY = 4;

/**
 * Checks the 2xx answer to a create: without a numeric id (and the `required` string fields) the
 * outcome is unknown — MINT may have stored it — so it is reported as such, never taken as success.
 */
export function assertCreated<T>(body: T, what: string, required: string[] = []): T {
  const rec = isRecord(body) ? body : undefined;
  const missing = [
    ...(typeof rec?.id === 'number' && Number.isSafeInteger(rec.id) ? [] : ['a numeric id']),
    ...required.filter((k) => typeof rec?.[k] !== 'string' || rec[k] === '').map((k) => `\`${k}\``),
  ];
  if (missing.length === 0) return body;
  throw new UnexpectedResponseError(
    `MINT answered the ${what} create with success but without ${missing.join(' and ')}: it may have been stored`,
    { mayHaveCommitted: true },
  );
}

export type PageFetcher<T> = (skip: number, limit: number) => Promise<Page<T>>;

export interface PaginateOptions<T> {
  /** First offset (default 0). */
  start?: number;
  /** Page size to ask for; default MAX_PAGE_SIZE, falling back to DEFAULT_PAGE_SIZE if refused. */
  limit?: number;
  /** Pages in flight once the server has reported a total (default 1: strictly lazy). */
  concurrency?: number;
  /** The identity used to detect repeated records; default the record's `id`. */
  idOf?: (item: T) => unknown;
  /** What is listed, for messages ("experiments"). */
  what?: string;
}

function defaultId(item: unknown): unknown {
  return isRecord(item) ? item.id : undefined;
}

function statusOf(err: unknown): number | undefined {
  const s = isRecord(err) ? err.status : undefined;
  return typeof s === 'number' ? s : undefined;
}

/**
 * Pages through a listing, in order, verifying as it goes:
 * - `skip` advances by the number of items received (a server may cap the page size);
 * - it stops at `skip >= total`, or at an empty page when the server reports no total;
 * - a repeated id, an empty page before `total`, or a changing `total` throws ListingInconsistentError.
 * With a total and `concurrency` > 1, the pages after the first are fetched concurrently (a bounded
 * window, created lazily: a huge total allocates nothing up front) and still yielded in order.
 */
export async function* paginate<T>(
  fetch: PageFetcher<T>,
  opts: PaginateOptions<T> = {},
): AsyncGenerator<T[]> {
  const start = opts.start ?? 0;
  const idOf = opts.idOf ?? defaultId;
  const what = opts.what ?? 'items';
  const seen = new Set<unknown>();
  const check = (items: T[], skip: number): T[] => {
    for (const item of items) {
      const id = idOf(item);
      if (id === undefined || id === null) continue;
      if (seen.has(id))
        throw new ListingInconsistentError(`${what}: id ${String(id)} came twice, again at offset ${skip}`);
      seen.add(id);
    }
    return items;
  };

  let limit = opts.limit ?? MAX_PAGE_SIZE;
  let first: Page<T>;
  try {
    first = await fetch(start, limit);
  } catch (err) {
    // "The largest page size the server accepts": a server that refuses ours gets the contract's.
    const status = statusOf(err);
    if (opts.limit !== undefined || (status !== 400 && status !== 422)) throw err;
    limit = DEFAULT_PAGE_SIZE;
    first = await fetch(start, limit);
  }
  const total = first.total;
  if (total !== undefined && (!Number.isSafeInteger(total) || total < 0))
    throw new UnexpectedResponseError(`the ${what} list reports total ${String(total)}, not a count`);
  const sameTotal = (p: Page<T>, skip: number) => {
    if (p.total !== total)
      throw new ListingInconsistentError(
        `${what}: total was ${String(total)} on the first page but ${String(p.total)} at offset ${skip}`,
      );
  };
  const n = first.items.length;
  if (n === 0) {
    if (total !== undefined && start < total)
      throw new ListingInconsistentError(`${what}: empty page at offset ${start} before total ${total}`);
    return;
  }
  yield check(first.items, start);

  if (total === undefined) {
    for (let skip = start + n; ;) {
      const p = await fetch(skip, limit);
      sameTotal(p, skip);
      if (p.items.length === 0) return;
      yield check(p.items, skip);
      skip += p.items.length;
    }
  }

  // With a total: fixed slots of the size the server actually serves, each filled until complete.
  const step = n;
  const fillSlot = async (from: number): Promise<T[]> => {
    const end = Math.min(from + step, total);
    const out: T[] = [];
    for (let skip = from; skip < end;) {
      const p = await fetch(skip, end - skip);
      sameTotal(p, skip);
      if (p.items.length === 0)
        throw new ListingInconsistentError(`${what}: empty page at offset ${skip} before total ${total}`);
      // A server that ignores `limit` overlaps the next slot: that slot reads those items itself.
      const take = p.items.length > end - skip ? p.items.slice(0, end - skip) : p.items;
      for (const item of take) out.push(item);
      skip += take.length;
    }
    return out;
  };
  const window = Math.max(1, Math.floor(opts.concurrency ?? 1) || 1);
  const inFlight: { from: number; items: Promise<T[]> }[] = [];
  let next = start + n;
  const launch = () => {
    while (inFlight.length < window && next < total) {
      const items = fillSlot(next);
      items.catch(() => undefined); // awaited below; an abandoned one must not be unhandled
      inFlight.push({ from: next, items });
      next += step;
    }
  };
  launch();
  while (inFlight.length > 0) {
    const slot = inFlight.shift()!;
    const items = await slot.items;
    launch();
    yield check(items, slot.from);
  }
}

export async function* flatten<T>(pages: AsyncIterable<T[]>): AsyncGenerator<T> {
  for await (const page of pages) yield* page;
}

export async function collect<T>(pages: AsyncIterable<T[]>): Promise<T[]> {
  const all: T[] = [];
  for await (const page of pages) for (const item of page) all.push(item);
  return all;
}
