// Experiment status moves as the MINT contract allows them: planned → ongoing → completed;
// cancelled only back to planned; nothing out of completed. Apply walks a move MINT makes in several
// steps (planned → completed goes through ongoing); a move the contract does not allow is a plan-time
// error, never a path invented through cancelled or out of completed.
import type { ExperimentStatus } from '../client/models.js';

/**
 * One-step moves the contract allows. `cancelled` is a destination from planned or ongoing, never a
 * stop on the way somewhere else; `completed` is final.
 */
export const ALLOWED_STATUS_MOVES: Record<ExperimentStatus, readonly ExperimentStatus[]> = {
  planned: ['ongoing', 'cancelled'],
  ongoing: ['completed', 'cancelled'],
  completed: [],
  cancelled: ['planned'],
};

/**
 * The statuses to PATCH, in order, to get from `from` to `to` (empty when equal): the shortest walk
 * that never passes through `cancelled`. Undefined when the contract allows no such walk.
 */
export function statusPath(from: ExperimentStatus, to: ExperimentStatus): ExperimentStatus[] | undefined {
  if (from === to) return [];
  if (!(from in ALLOWED_STATUS_MOVES) || !(to in ALLOWED_STATUS_MOVES)) return [to]; // unknown: MINT decides
  const prev = new Map<ExperimentStatus, ExperimentStatus>();
  const queue: ExperimentStatus[] = [from];
  while (queue.length > 0) {
    const s = queue.shift()!;
    for (const n of ALLOWED_STATUS_MOVES[s]) {
      if (n === from || prev.has(n)) continue;
      prev.set(n, s);
      if (n === to) {
        const path: ExperimentStatus[] = [];
        for (let at: ExperimentStatus = to; at !== from; at = prev.get(at)!) path.unshift(at);
        return path;
      }
      if (n !== 'cancelled') queue.push(n);
    }
  }
  return undefined;
}

/** Why MINT cannot make the move, or undefined when it can. */
export function impossibleStatusMove(from: ExperimentStatus, to: ExperimentStatus): string | undefined {
  if (statusPath(from, to) !== undefined) return undefined;
  if (from === 'completed') return `a completed experiment cannot move to ${to}: completed is final in MINT`;
  if (from === 'cancelled') return `a cancelled experiment can only go back to planned, not to ${to}`;
  return `MINT does not move an experiment from ${from} back to ${to}`;
}

export interface StatusMoveIssue {
  code: 'status.multi-step';
  message: string;
}

/** Why a (possible) status move deserves a warning in the plan, if it does. */
export function statusMoveIssue(
  key: string,
  from: ExperimentStatus,
  to: ExperimentStatus,
): StatusMoveIssue | undefined {
  const path = statusPath(from, to);
  if (!path || path.length <= 1) return undefined;
  return {
    code: 'status.multi-step',
    message: `experiment ${key}: MINT does not move ${from} → ${to} in one step; apply walks ${[from, ...path].join(' → ')}`,
  };
}
