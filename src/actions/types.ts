// The contract between the operations (plan/apply/upload/export) and their adapters (CLI, Action).
import type { JsonValue } from '../client/models.js';
import type { SourceLocation } from '../manifest/model.js';

export type ResourceType = 'project' | 'experiment' | 'design' | 'analysis';
export type ActionOp = 'create' | 'update' | 'delete';

/** One field that changes: `before` undefined = not set live; `after` undefined = removed. */
export interface FieldChange {
  field: string;
  before?: JsonValue;
  after?: JsonValue;
}

export interface ActionTarget {
  type: ResourceType;
  /** Manifest key (project key or experiment key). */
  key: string;
  /** Live experiment code, when known. */
  code?: string;
  experimentId?: number;
  projectId?: number;
  /** design / analysis plugin. */
  pluginId?: string;
}

export interface PlanAction {
  /** Stable id, unique in a plan, e.g. `experiment.create:batch-01`, `analysis.save:batch-01:peak-qc`. */
  id: string;
  type: ResourceType;
  op: ActionOp;
  target: ActionTarget;
  /** Field-level diff (old → new) for updates; the full new values for creates. */
  changes: FieldChange[];
  /** Ids of actions that must succeed first. */
  dependsOn: string[];
  /** Adopting an experiment by `code` (a tag update that claims it). */
  adopt?: boolean;
  /** Why it is in the plan when not obvious, e.g. "orphaned: no longer in the manifest". */
  reason?: string;
  source?: SourceLocation;
}

export interface PlanWarning {
  code: string;
  message: string;
  key?: string;
  source?: SourceLocation;
}

export interface PlanSummary {
  create: number;
  update: number;
  delete: number;
  /** Orphans found but not deleted (no prune). */
  orphaned: number;
  unchanged: number;
  /** Keys held by two or more experiments that this plan leaves alone (a problem: exit 1). */
  duplicates?: number;
}

/** One live copy of a duplicated key. */
export interface DuplicateCopy {
  code: string;
  experimentId: number;
  name: string;
  /** What it holds of its own, e.g. ["design data", "result peak-qc"]; undefined = not known. */
  holds?: string[];
}

/** A key that two or more experiments of this stack carry. */
export interface PlanDuplicate {
  key: string;
  /** Every copy, oldest first: the first is the one kept. */
  copies: DuplicateCopy[];
  /** True when this plan deletes the extra copies (`apply --dedupe`, all of them empty). */
  resolved: boolean;
  /** Why `--dedupe` cannot resolve it, when it cannot. */
  blocker?: string;
  /** The experiment in the manifest (absent when the key left the manifest). */
  source?: SourceLocation;
}

export interface Plan {
  /** Version of the JSON plan format. */
  formatVersion: 1;
  stack: string;
  files: string[];
  actions: PlanAction[];
  /** Experiments with this stack's tag that the manifest no longer lists. */
  orphans: { key: string; code: string; experimentId: number; name: string }[];
  /** Keys carried by several experiments (absent in plans saved before it existed). */
  duplicates?: PlanDuplicate[];
  /** Experiments with this stack's tag but no key tag: reported, never managed or deleted. */
  unkeyed?: { code: string; experimentId: number; name: string }[];
  warnings: PlanWarning[];
  summary: PlanSummary;
  hasChanges: boolean;
  /** sha256 hex of the canonical action list (no timestamps): changes iff the planned actions change. */
  fingerprint: string;
  /** Per-object digest of the live state the plan was computed against (for saved-plan staleness). */
  liveState: Record<string, string>;
  prune: boolean;
  /** Delete the empty extra copies of duplicated keys (`--dedupe`). */
  dedupe?: boolean;
}

export type ActionStatus = 'ok' | 'failed' | 'skipped';

export interface ActionResult {
  actionId: string;
  type: ResourceType;
  op: ActionOp;
  target: ActionTarget;
  status: ActionStatus;
  /** Error line for failed; reason for skipped (e.g. "dependency experiment.create:b1 failed"). */
  message?: string;
  /** For failed: whether the write may have reached MINT (re-run converges either way). */
  mayHaveCommitted?: boolean;
  /** For failed: MINT may or may not have stored the create; it was not sent again (apply again). */
  outcomeUnknown?: true;
  /** For an ok `experiment.create`: the experiment MINT made (its code is what users look for). */
  created?: { id: number; code: string };
  durationMs: number;
}

export interface ApplyResult {
  formatVersion: 1;
  stack: string;
  fingerprint: string;
  results: ActionResult[];
  summary: { ok: number; failed: number; skipped: number };
  /** The experiments this apply created, in plan order: manifest key → new code. */
  created?: { key: string; code: string; experimentId: number }[];
  /** Orphans left in place (no prune). */
  orphaned?: number;
  /** Keys left alone because several experiments carry them (`duplicateFix` says how to fix each). */
  duplicates?: PlanDuplicate[];
  /** True when every action is ok and no duplicate was left alone. */
  success: boolean;
}

export type EngineEvent =
  | { type: 'read.start'; what: string }
  | { type: 'read.progress'; done: number; total?: number }
  | { type: 'read.done'; experiments: number }
  /** Apply is about to run `total` actions (after planning and every refusal check). */
  | { type: 'apply.start'; total: number }
  | { type: 'action.start'; action: PlanAction }
  | { type: 'action.finish'; result: ActionResult }
  | { type: 'retry'; method: string; path: string; attempt: number; delayMs: number; reason: string }
  | { type: 'log'; level: 'debug' | 'info' | 'warn'; message: string };

export type EventSink = (event: EngineEvent) => void;

/** Exit semantics shared by the CLI and the Action (with detailed exit codes). */
export const EXIT_OK = 0;
export const EXIT_ERROR = 1;
export const EXIT_CHANGES = 2;
