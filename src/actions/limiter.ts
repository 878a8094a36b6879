// One small concurrency limiter shared by reading and applying.

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

/** Map with at most `concurrency` calls in flight; results keep input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const limit = createLimiter(concurrency);
  return Promise.all(items.map((item, i) => limit(() => fn(item, i))));
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
