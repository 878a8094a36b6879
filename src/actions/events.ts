// Hooks between the engine's events and the client's retry callback.
import type { RetryInfo } from '../client/index.js';
import type { EventSink } from './types.js';

/** A MintClientOptions.onRetry that forwards each client retry as a `retry` engine event. */
export function retryEventSink(onEvent: EventSink): (info: RetryInfo) => void {
  return (info) =>
    onEvent({
      type: 'retry',
      method: info.method,
      path: info.path,
      attempt: info.attempt,
      delayMs: info.delayMs,
      reason: info.reason,
    });
}
