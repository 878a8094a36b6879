// Settings read from the environment in more than one layer (client timeouts, the design-check deadline).
import { MintConfigError } from './client/errors.js';

/** `name` as a positive number of seconds, in ms; `fallbackMs` when unset or blank. */
export function secondsFromEnv(env: NodeJS.ProcessEnv, name: string, fallbackMs: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallbackMs;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new MintConfigError(`${name} must be a positive number of seconds, got "${raw}"`);
  }
  return Math.round(seconds * 1000);
}
