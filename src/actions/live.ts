// The live MINT state the plan is computed against (produced by read.ts, consumed by plan.ts).
import type { AnalysisResult, DesignData, Experiment, Project } from '../client/models.js';
import type { PlanWarning } from './types.js';

export interface LiveExperiment {
  experiment: Experiment;
  matchedBy: 'tags' | 'code';
  /** Read only where the manifest manages design data: null = none live; undefined = not read. */
  design?: DesignData | null;
  /** Read only for the plugins the manifest lists: plugin id → result (null = none live). */
  analysis?: Map<string, AnalysisResult | null>;
}

export interface LiveOrphan {
  experiment: Experiment;
  /** The key tag it carries ('' when it has the stack tag but no key tag). */
  key: string;
  reason: string;
}

export interface LiveState {
  /** Manifest project key → live project; undefined = not found by name (it will be created). */
  projects: Map<string, Project | undefined>;
  /** Manifest experiment key → the live experiment it manages. */
  experiments: Map<string, LiveExperiment>;
  /** Experiments with this stack's tag and a key tag that the manifest no longer lists. */
  orphans: LiveOrphan[];
  /**
   * Keys carried by two or more live experiments of this stack: key → every one of them, oldest
   * first (the oldest is the one `experiments` manages). A problem for `plan`, never orphans.
   */
  duplicates: Map<string, Experiment[]>;
  /** Experiments with this stack's tag but no key tag: reported, never managed or deleted. */
  unkeyed: Experiment[];
  warnings: PlanWarning[];
  /** The newest created_at the ownership scan saw (server clock): a later lookup reads only newer ones. */
  newestCreatedAt?: string;
  /** Conditions that make the manifest impossible to plan (turned into PlanConflictError). */
  problems: string[];
}

export function emptyLiveState(): LiveState {
  return {
    projects: new Map(),
    experiments: new Map(),
    orphans: [],
    duplicates: new Map(),
    unkeyed: [],
    warnings: [],
    problems: [],
  };
}
