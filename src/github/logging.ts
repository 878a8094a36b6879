// Engine events and client retries as plain log lines (redaction lives in src/redact.ts).
import type { EngineEvent, EventSink } from '../actions/types.js';

export interface LogSink {
  info(message: string): void;
  debug(message: string): void;
  warning(message: string): void;
}

// The one redaction module; re-exported so existing imports keep working.
export { Redactor } from '../redact.js';

export interface RetryLine {
  method: string;
  path: string;
  attempt: number;
  delayMs: number;
  reason: string;
}

export function retryLine(info: RetryLine): string {
  const seconds = (info.delayMs / 1000).toFixed(info.delayMs < 10_000 ? 1 : 0);
  return `Retrying ${info.method} ${info.path} in ${seconds}s (attempt ${info.attempt}): ${info.reason}`;
}

/** Reading progress is logged every this many experiments, so big stacks do not flood the log. */
const READ_PROGRESS_STEP = 500;

export function eventLogger(log: LogSink): EventSink {
  let lastProgress = 0;
  return (event: EngineEvent) => {
    switch (event.type) {
      case 'read.start':
        lastProgress = 0;
        log.info(`Reading ${event.what} from MINT…`);
        break;
      case 'read.progress':
        if (event.done - lastProgress >= READ_PROGRESS_STEP) {
          lastProgress = event.done;
          log.info(`  read ${event.done}${event.total !== undefined ? ` of ${event.total}` : ''}`);
        }
        break;
      case 'read.done':
        log.info(`Read ${event.experiments} experiment${event.experiments === 1 ? '' : 's'} from MINT`);
        break;
      case 'action.start':
        log.debug(`start ${event.action.id}`);
        break;
      case 'action.finish': {
        const r = event.result;
        if (r.status === 'ok') log.info(`✓ ${r.actionId} (${r.durationMs} ms)`);
        else if (r.status === 'skipped') log.info(`- ${r.actionId} skipped: ${r.message ?? ''}`);
        else log.warning(`✗ ${r.actionId} failed: ${r.message ?? 'unknown error'}`);
        break;
      }
      case 'retry':
        log.info(retryLine(event));
        break;
      case 'log':
        if (event.level === 'warn') log.warning(event.message);
        else if (event.level === 'info') log.info(event.message);
        else log.debug(event.message);
        break;
    }
  };
}
