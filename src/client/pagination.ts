// List envelopes and skip/limit paging. Pages are fetched lazily, one at a time.

export const DEFAULT_PAGE_SIZE = 100;

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
}

export type PageFetcher<T> = (skip: number, limit: number) => Promise<Page<T>>;

/**
 * Pages until one comes back empty or short, or `skip` reaches `total`. When the server reports a
 * total, a short page alone does not stop us: a server that caps `limit` below ours still gets read to
 * the end.
 */
export async function* paginate<T>(
  fetch: PageFetcher<T>,
  start = 0,
  limit = DEFAULT_PAGE_SIZE,
): AsyncGenerator<T[]> {
  let skip = start;
  while (true) {
    const page = await fetch(skip, limit);
    if (page.items.length > 0) yield page.items;
    skip += page.items.length;
    if (page.items.length === 0) return;
    if (page.total !== undefined) {
      if (skip >= page.total) return;
    } else if (page.items.length < limit) {
      return;
    }
  }
}

export async function* flatten<T>(pages: AsyncIterable<T[]>): AsyncGenerator<T> {
  for await (const page of pages) yield* page;
}

export async function collect<T>(pages: AsyncIterable<T[]>): Promise<T[]> {
  const all: T[] = [];
  for await (const page of pages) all.push(...page);
  return all;
}
