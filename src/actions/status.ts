// Experiment status moves as MINT allows them (planned → ongoing → completed; cancelled only back to
// planned; completed is read-only to non-admins), so apply can walk a move the platform refuses to
// make in one step.
import type { ExperimentStatus } from '../client/models.js';

/** One-step moves MINT accepts (the sandbox enforces the same table). */
export const ALLOWED_STATUS_MOVES: Record<ExperimentStatus, readonly ExperimentStatus[]> = {
  planned: ['ongoing', 'cancelled'],
  ongoing: ['completed', 'cancelled'],
  completed: ['cancelled'],
  cancelled: ['planned'],
};

/** The statuses to PATCH, in order, to get from `from` to `to` (empty when equal): a shortest walk. */
export function statusPath(from: ExperimentStatus, to: ExperimentStatus): ExperimentStatus[] {
  if (from === to) return [];
  const prev = new Map<ExperimentStatus, ExperimentStatus>();
  const queue: ExperimentStatus[] = [from];
  while (queue.length > 0) {
    const s = queue.shift()!;
    for (const n of ALLOWED_STATUS_MOVES[s] ?? []) {
      if (n === from || prev.has(n)) continue;
      prev.set(n, s);
      if (n === to) {
        const path: ExperimentStatus[] = [];
        for (let at: ExperimentStatus = to; at !== from; at = prev.get(at)!) path.unshift(at);
        return path;
      }
      queue.push(n);
    }
  }
  return [to]; // unknown status: let MINT decide
}

export interface StatusMoveIssue {
  code: 'status.admin-only' | 'status.multi-step';
  message: string;
}

/** Why a status move deserves a warning in the plan, if it does. */
export function statusMoveIssue(
  key: string,
  from: ExperimentStatus,
  to: ExperimentStatus,
): StatusMoveIssue | undefined {
  if (from === to) return undefined;
  const path = statusPath(from, to);
  const walk = [from, ...path].join(' → ');
  if (from === 'completed') {
    return {
      code: 'status.admin-only',
      message: `experiment ${key}: moving a completed experiment to ${to} needs a MINT admin (completed experiments are read-only to others); it goes ${walk}`,
    };
  }
  if (path.length > 1) {
    return {
      code: 'status.multi-step',
      message: `experiment ${key}: MINT does not move ${from} → ${to} in one step; apply walks ${walk}`,
    };
  }
  return undefined;
}
