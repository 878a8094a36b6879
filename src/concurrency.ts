// The one concurrency helper: a limiter for ad-hoc tasks and worker pools over lists (manifest
// files, reads, applies, exports).

export type Limiter = <T>(task: () => Promise<T>) => Promise<T>;

export function createLimiter(concurrency: number): Limiter {
  const max = Math.max(1, Math.floor(concurrency) || 1);
  let active = 0;
  const queue: (() => void)[] = [];
  const next = () => {
    if (active >= max) return;
    const run = queue.shift();
    if (run) {
      active++;
      run();
    }
  };
  return <T>(task: () => Promise<T>) =>
    new Promise<T>((resolve, reject) => {
      queue.push(() => {
        task()
          .then(resolve, reject)
          .finally(() => {
            active--;
            next();
          });
      });
      next();
    });
}

/**
 * Map with at most `concurrency` calls in flight; results keep input order. Workers pull the next
 * item as they finish, so no pending promise is created per item (thousands of files or reads).
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  const max = Math.max(1, Math.floor(concurrency) || 1);
  await Promise.all(Array.from({ length: Math.min(max, items.length) }, worker));
  return out;
}

/**
 * Calls `fn` for every item with at most `concurrency` calls in flight, pulling items as calls
 * finish: unlike mapLimit it does not create a pending promise per item up front, so memory stays
 * flat however many items there are. Rejects with the first failure (no new calls start after it).
 */
export async function forEachLimit<T>(
  items: Iterable<T>,
  concurrency: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  const max = Math.max(1, Math.floor(concurrency) || 1);
  const it = items[Symbol.iterator]();
  let failed = false;
  const worker = async () => {
    while (!failed) {
      const next = it.next();
      if (next.done) return;
      try {
        await fn(next.value);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: max }, worker));
}
