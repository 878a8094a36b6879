// Engine events → a progress bar on a terminal, plain lines in CI logs (with --verbose), nothing with --quiet.
import { MultiBar, type SingleBar } from 'cli-progress';
import type { EngineEvent, EventSink } from '../actions/types.js';
import type { Output } from './output.js';
import { describeRetry } from './context.js';

export interface Progress {
  sink: EventSink;
  /** Tells the bar how many actions apply will run (when the plan is known in advance). */
  expectActions(total: number): void;
  stop(): void;
}

type Phase = { kind: 'read'; what: string } | { kind: 'apply' };

export function createProgress(out: Output): Progress {
  const useBar = out.stderrIsTTY && !out.quiet;
  let multi: MultiBar | undefined;
  let bar: SingleBar | undefined;
  let phase: Phase | undefined;
  let actionsTotal = 0;
  let actionsDone = 0;
  let failed = 0;

  const stopBar = () => {
    if (!multi) return;
    multi.stop();
    out.routeStderr(undefined);
    multi = undefined;
    bar = undefined;
  };

  const startBar = (next: Phase, total: number) => {
    stopBar();
    phase = next;
    multi = new MultiBar({
      stream: out.stderr,
      clearOnComplete: true,
      hideCursor: true,
      fps: 10,
      barsize: 30,
      format: (options, params, payload: { label: string; extra: string }) => {
        const width = options.barsize ?? 30;
        if (params.total > 0) {
          const filled = Math.round(Math.min(1, params.value / params.total) * width);
          const barText = '█'.repeat(filled) + '░'.repeat(width - filled);
          return `${payload.label} ${barText} ${params.value}/${params.total}${payload.extra}`;
        }
        return `${payload.label} ${params.value}${payload.extra}`;
      },
    });
    bar = multi.create(total, 0, { label: '', extra: '' });
    const m = multi;
    out.routeStderr((text) => m.log(text));
  };

  const onEvent = (event: EngineEvent) => {
    switch (event.type) {
      case 'read.start':
        if (useBar) {
          if (phase?.kind !== 'read') startBar({ kind: 'read', what: event.what }, 0);
          phase = { kind: 'read', what: event.what };
          bar?.update({ label: `Reading ${event.what}`, extra: '' });
        } else out.detail(`reading ${event.what} from MINT…`);
        break;
      case 'read.progress':
        if (bar && phase?.kind === 'read') {
          if (event.total !== undefined) bar.setTotal(event.total);
          bar.update(event.done, { label: `Reading ${phase.what}`, extra: ' read' });
        }
        break;
      case 'read.done':
        if (phase?.kind === 'read') stopBar();
        phase = undefined;
        out.detail(`read ${event.experiments} experiment${event.experiments === 1 ? '' : 's'} from MINT`);
        break;
      case 'apply.start':
        actionsTotal = event.total;
        break;
      case 'action.start':
        if (useBar && phase?.kind !== 'apply') {
          startBar({ kind: 'apply' }, actionsTotal);
          actionsDone = 0;
          failed = 0;
        }
        bar?.update({ label: 'Applying', extra: `  ${event.action.id}` });
        if (!useBar) out.detail(`… ${event.action.id}`);
        break;
      case 'action.finish': {
        actionsDone++;
        if (event.result.status === 'failed') failed++;
        const extra = failed > 0 ? `  (${failed} failed)` : '';
        bar?.update(actionsDone, { label: 'Applying', extra });
        if (!useBar)
          out.detail(`${event.result.status} ${event.result.actionId} (${event.result.durationMs} ms)`);
        break;
      }
      case 'retry':
        out.detail(describeRetry(event));
        break;
      case 'log':
        if (event.level === 'warn') out.warn(event.message);
        else if (event.level === 'info' || out.debug) out.detail(event.message);
        break;
    }
  };

  return {
    sink: onEvent,
    expectActions(total: number) {
      actionsTotal = total;
    },
    stop: stopBar,
  };
}
