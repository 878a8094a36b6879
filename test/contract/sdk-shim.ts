// The small browser shim MINT's SDK needs under Node: a `window` with location and timers, and an
// in-memory localStorage. Imported before the SDK (side effects only). The page origin is another
// host than the sandbox, so the SDK's settings store builds absolute URLs to the server we set.

class MemoryStorage {
  private readonly items = new Map<string, string>();
  get length(): number {
    return this.items.size;
  }
  clear(): void {
    this.items.clear();
  }
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  key(i: number): string | null {
    return [...this.items.keys()][i] ?? null;
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
  setItem(key: string, value: string): void {
    this.items.set(key, String(value));
  }
}

const location = {
  protocol: 'http:',
  hostname: 'plugin.invalid',
  port: '5173',
  host: 'plugin.invalid:5173',
  origin: 'http://plugin.invalid:5173',
  href: 'http://plugin.invalid:5173/',
  pathname: '/',
  search: '',
  hash: '',
};

const win = {
  location,
  setTimeout: globalThis.setTimeout.bind(globalThis),
  clearTimeout: globalThis.clearTimeout.bind(globalThis),
  setInterval: globalThis.setInterval.bind(globalThis),
  clearInterval: globalThis.clearInterval.bind(globalThis),
  addEventListener: (): void => undefined,
  removeEventListener: (): void => undefined,
  postMessage: (): void => undefined,
} as Record<string, unknown>;
win.parent = win;
win.top = win;

Object.assign(globalThis, { window: win, localStorage: new MemoryStorage() });

/** Sets or clears the context a MINT page injects into a plugin frontend. */
export function setPlatformContext(ctx: Record<string, unknown> | undefined): void {
  if (ctx) win.__MINT_PLATFORM__ = ctx;
  else delete win.__MINT_PLATFORM__;
}
