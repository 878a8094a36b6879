// Pure plan construction: manifest + live state → ordered actions, warnings, fingerprint, liveState.
// Stages: projects → experiments (each with its design data and results) → duplicates → orphans →
// summary. Each stage adds to one PlanDraft.
import type { DesignData, Experiment, ExperimentStatus, Project } from '../client/models.js';
import type {
  AnalysisSpec,
  DesignSpec,
  ExperimentSpec,
  ProjectSpec,
  ResolvedManifest,
  SourceLocation,
} from '../manifest/model.js';
import { canonicalDigest, digest, textEqual } from './canonical.js';
import { ownString } from '../manifest/diagnostics.js';
import {
  createChanges,
  deletedDesign,
  diffAnalysis,
  diffDesign,
  diffExperiment,
  type ProjectTarget,
} from './diff.js';
import type { LiveExperiment, LiveOrphan, LiveState } from './live.js';
import { impossibleStatusMove, statusMoveIssue } from './status.js';
import type { Plan, PlanAction, PlanDuplicate, PlanSummary, PlanWarning } from './types.js';

/** What apply needs to carry out one action (kept out of the serialised plan). */
export type ActionStep =
  | { kind: 'project.create'; spec: ProjectSpec }
  | { kind: 'project.update'; spec: ProjectSpec; project: Project }
  | { kind: 'experiment.create'; spec: ExperimentSpec }
  | { kind: 'experiment.update'; spec: ExperimentSpec; live: LiveExperiment; adopt: boolean }
  /** The move into `completed`, held back until the experiment's design and analysis are written. */
  | { kind: 'experiment.status'; spec: ExperimentSpec }
  | { kind: 'experiment.delete'; orphan: LiveOrphan }
  /** An extra copy of a duplicated key that holds nothing of its own (`--dedupe`). */
  | { kind: 'experiment.dedupe'; key: string; experiment: Experiment; kept: Experiment }
  /** `keepVersion`: the live schema_version to send again when the manifest leaves it out. */
  | { kind: 'design.save'; spec: ExperimentSpec; design: DesignSpec; keepVersion?: string }
  | { kind: 'design.delete'; spec: ExperimentSpec }
  | { kind: 'analysis.save'; spec: ExperimentSpec; analysis: AnalysisSpec }
  | { kind: 'analysis.delete'; spec: ExperimentSpec; pluginId: string };

export interface BuiltPlan {
  plan: Plan;
  steps: Map<string, ActionStep>;
  /** Conditions that make the manifest impossible to apply, one line each with `file:line`. */
  problems: string[];
}

export interface BuildOptions {
  /** Delete orphans. */
  prune?: boolean;
  /** Delete the empty extra copies of duplicated keys. */
  dedupe?: boolean;
  /**
   * What each extra copy of a duplicated key holds (experiment id → e.g. ["design data"]), read by
   * plan.ts. A copy that is not in the map holds something unknown and is never deleted.
   */
  duplicateContents?: Map<number, string[]>;
}

/** `file:line` of a manifest location, for one-line problems. */
export function at(source: SourceLocation | undefined): string {
  return source ? `${source.file}:${source.line}` : '';
}

function located(source: SourceLocation | undefined, message: string): string {
  return source ? `${at(source)}: ${message}` : message;
}

export function projectTargetFor(
  spec: ExperimentSpec,
  projects: Map<string, ProjectSpec>,
  live: LiveState,
): ProjectTarget {
  if (spec.project === undefined) return undefined;
  const ps = projects.get(spec.project);
  if (!ps) return { label: spec.project };
  if (ps.id !== undefined) {
    const p = live.projects.get(ps.key);
    return { id: ps.id, label: p?.name ?? ps.name ?? `#${ps.id}` };
  }
  const p = live.projects.get(ps.key);
  return p ? { id: p.id, label: p.name } : { label: ps.name ?? ps.key };
}

/** The plan under construction: every stage adds its actions, steps, warnings and problems here. */
interface PlanDraft {
  manifest: ResolvedManifest;
  live: LiveState;
  opts: BuildOptions;
  projectSpecs: Map<string, ProjectSpec>;
  actions: PlanAction[];
  steps: Map<string, ActionStep>;
  projectCreateIds: Map<string, string>;
  warnings: PlanWarning[];
  problems: string[];
}

/** No dependencies: one shared, frozen list rather than an empty array per action. */
const NO_DEPS: string[] = Object.freeze([]) as unknown as string[];

function add(d: PlanDraft, action: PlanAction, step: ActionStep): void {
  // `design.save:` + key is a two-piece string until first hashed, then a piece and a copy: one flat copy
  action.id = ownString(action.id);
  // lists grown by push keep spare slots (17 for a handful of changes): keep them at their size
  if (action.changes.length > 0) action.changes = action.changes.slice();
  if (action.dependsOn.length === 0) action.dependsOn = NO_DEPS;
  d.actions.push(action);
  d.steps.set(action.id, step);
}

export function buildPlan(manifest: ResolvedManifest, live: LiveState, opts: BuildOptions = {}): BuiltPlan {
  const d: PlanDraft = {
    manifest,
    live,
    opts,
    projectSpecs: new Map(manifest.projects.map((p) => [p.key, p])),
    actions: [],
    steps: new Map(),
    projectCreateIds: new Map(),
    warnings: [...live.warnings],
    problems: [],
  };
  planProjects(d);
  const duplicates = findDuplicates(d);
  const leftAlone = new Set(duplicates.filter((x) => !x.resolved).map((x) => x.key));
  const unchanged = planExperiments(d, leftAlone);
  planDedupe(d, duplicates);
  const { orphans, unkeyed } = planOrphans(d);
  const prune = opts.prune ?? false;
  const dedupe = opts.dedupe ?? false;
  const summary = summarize(d.actions, prune ? 0 : orphans.length, unchanged, leftAlone.size);
  const plan: Plan = {
    formatVersion: 1,
    stack: manifest.stack,
    files: manifest.files,
    actions: d.actions,
    orphans,
    duplicates,
    unkeyed,
    warnings: d.warnings,
    summary,
    // Orphans left in place and duplicates are drift too: only a plan with none of them is "no changes".
    hasChanges: d.actions.length > 0 || summary.orphaned > 0 || leftAlone.size > 0,
    fingerprint: planFingerprint(manifest.stack, prune, d.actions, dedupe),
    liveState: liveStateDigests(manifest, live),
    prune,
    ...(dedupe ? { dedupe } : {}),
  };
  return { plan, steps: d.steps, problems: d.problems };
}

// ---- projects ---------------------------------------------------------------------------------

function planProjects(d: PlanDraft): void {
  for (const ps of d.manifest.projects) {
    if (ps.id !== undefined) continue; // referenced by id: never changed
    const p = d.live.projects.get(ps.key);
    if (!p) planProjectCreate(d, ps);
    else if (ps.description !== undefined && !textEqual(p.description, ps.description))
      planProjectUpdate(d, ps, p);
  }
}

function planProjectCreate(d: PlanDraft, ps: ProjectSpec): void {
  const changes = [{ field: 'name', after: ps.name ?? ps.key }];
  if (ps.description !== undefined && ps.description !== null)
    changes.push({ field: 'description', after: ps.description });
  add(
    d,
    {
      id: `project.create:${ps.key}`,
      type: 'project',
      op: 'create',
      target: { type: 'project', key: ps.key },
      changes,
      dependsOn: [],
      source: ps.source,
    },
    { kind: 'project.create', spec: ps },
  );
}

function planProjectUpdate(d: PlanDraft, ps: ProjectSpec, p: Project): void {
  add(
    d,
    {
      id: `project.update:${ps.key}`,
      type: 'project',
      op: 'update',
      target: { type: 'project', key: ps.key, projectId: p.id },
      changes: [{ field: 'description', before: p.description ?? null, after: ps.description ?? null }],
      dependsOn: [],
      source: ps.source,
    },
    { kind: 'project.update', spec: ps, project: p },
  );
}

// ---- experiments ------------------------------------------------------------------------------

/** Plans every experiment except the duplicated keys left alone; returns how many are unchanged. */
function planExperiments(d: PlanDraft, leftAlone: Set<string>): number {
  let unchanged = 0;
  for (const spec of d.manifest.experiments) {
    if (leftAlone.has(spec.key)) continue;
    const before = d.actions.length;
    planExperiment(d, spec);
    if (d.actions.length === before) unchanged++;
  }
  return unchanged;
}

function planExperiment(d: PlanDraft, spec: ExperimentSpec): void {
  const le = d.live.experiments.get(spec.key);
  const exp = le?.experiment;
  if (!exp && spec.code !== undefined) return; // nothing to adopt: reading reported it
  if (!exp && spec.experiment_type === undefined) {
    d.problems.push(
      located(
        spec.source,
        `experiment ${spec.key}: experiment_type is needed to create it; set it or defaults.experiment_type`,
      ),
    );
    return;
  }
  const liveStatus: ExperimentStatus = exp?.status ?? 'planned';
  const wantStatus = spec.status ?? liveStatus;
  const impossible = impossibleStatusMove(liveStatus, wantStatus);
  if (impossible) {
    const what = exp ? `${exp.experiment_code} is ${liveStatus} in MINT` : 'a new experiment starts planned';
    d.problems.push(
      located(
        spec.statusSource ?? spec.source,
        `experiment ${spec.key}: status ${wantStatus}: ${what}, and ${impossible}; change \`status\` to what MINT allows`,
      ),
    );
    return;
  }
  const children = childActions(spec, le);
  // MINT makes a completed experiment read-only: write design and analysis first, complete after.
  const hold = wantStatus === 'completed' && liveStatus !== 'completed' && children.length > 0;
  const main = planMainAction(d, hold ? { ...spec, status: undefined } : spec, le);
  // New and adopted experiments must exist and carry our tags before anything is written to them.
  const childDeps = main && (!exp || le?.matchedBy === 'code') ? [main.id] : [];
  for (const [action, step] of children) {
    // built just above for this plan: set in place rather than copied (a copy per action at 10,000)
    action.dependsOn = childDeps;
    add(d, action, step);
  }
  if (hold) planHeldStatus(d, spec, le, main, children, liveStatus, wantStatus);
  warnAboutStatus(d, spec, exp, main, children, liveStatus, wantStatus);
}

/** `project.create:<key>`, one string per project however many experiments wait for it. */
function projectCreateId(d: PlanDraft, key: string): string {
  let id = d.projectCreateIds.get(key);
  if (id === undefined) d.projectCreateIds.set(key, (id = ownString(`project.create:${key}`)));
  return id;
}

function experimentTarget(key: string, exp: Experiment | undefined): PlanAction['target'] {
  return { type: 'experiment', key, code: exp?.experiment_code, experimentId: exp?.id };
}

/** The create, or the update of the experiment's own fields (undefined when nothing changes). */
function planMainAction(
  d: PlanDraft,
  spec: ExperimentSpec,
  le: LiveExperiment | undefined,
): PlanAction | undefined {
  const key = spec.key;
  const exp = le?.experiment;
  const project = projectTargetFor(spec, d.projectSpecs, d.live);
  const dependsOn =
    project && project.id === undefined && spec.project ? [projectCreateId(d, spec.project)] : [];
  const target = experimentTarget(key, exp);
  const stack = d.manifest.stack;
  if (!exp) {
    const action: PlanAction = {
      id: `experiment.create:${key}`,
      type: 'experiment',
      op: 'create',
      target,
      changes: createChanges(spec, stack, project),
      dependsOn,
      source: spec.source,
    };
    add(d, action, { kind: 'experiment.create', spec });
    return action;
  }
  const changes = diffExperiment(spec, exp, stack, project);
  if (changes.length === 0) return undefined;
  const adopt = le!.matchedBy === 'code';
  const action: PlanAction = {
    id: `experiment.update:${key}`,
    type: 'experiment',
    op: 'update',
    target,
    changes,
    dependsOn,
    ...(adopt ? { adopt: true, reason: `adopting ${exp.experiment_code} by code` } : {}),
    source: spec.source,
  };
  add(d, action, { kind: 'experiment.update', spec, live: le!, adopt });
  return action;
}

function planHeldStatus(
  d: PlanDraft,
  spec: ExperimentSpec,
  le: LiveExperiment | undefined,
  main: PlanAction | undefined,
  children: [PlanAction, ActionStep][],
  from: ExperimentStatus,
  to: ExperimentStatus,
): void {
  add(
    d,
    {
      id: `experiment.status:${spec.key}`,
      type: 'experiment',
      op: 'update',
      target: experimentTarget(spec.key, le?.experiment),
      changes: [{ field: 'status', before: from, after: to }],
      dependsOn: [...(main ? [main.id] : []), ...children.map(([a]) => a.id)],
      reason: 'completed after its design data and analysis results are written',
      source: spec.source,
    },
    { kind: 'experiment.status', spec },
  );
}

function warnAboutStatus(
  d: PlanDraft,
  spec: ExperimentSpec,
  exp: Experiment | undefined,
  main: PlanAction | undefined,
  children: [PlanAction, ActionStep][],
  from: ExperimentStatus,
  to: ExperimentStatus,
): void {
  const key = spec.key;
  const issue = statusMoveIssue(key, from, to);
  if (issue) d.warnings.push({ ...issue, key, source: spec.source });
  const edits = (main?.changes.some((c) => c.field !== 'status') ?? false) || children.length > 0;
  if (exp?.status === 'completed' && edits) {
    d.warnings.push({
      code: 'experiment.completed-edit',
      message: `experiment ${key} (${exp.experiment_code}) is completed: MINT lets only admins change it or its data, so this may fail with permission denied`,
      key,
      source: spec.source,
    });
  }
}

// ---- design data and analysis results ---------------------------------------------------------

type Child = [PlanAction, ActionStep];

function childActions(spec: ExperimentSpec, le: LiveExperiment | undefined): Child[] {
  const out: Child[] = [];
  const design = designAction(spec, le);
  if (design) out.push(design);
  for (const a of spec.analysis ?? []) {
    const child = analysisAction(spec, a, le);
    if (child) out.push(child);
  }
  return out;
}

/** A design or analysis target, written out as one literal (a spread adds a second property store). */
function childTarget<T extends 'design' | 'analysis'>(
  type: T,
  spec: ExperimentSpec,
  le: LiveExperiment | undefined,
  pluginId: string,
) {
  return {
    type,
    key: spec.key,
    code: le?.experiment.experiment_code,
    experimentId: le?.experiment.id,
    pluginId,
  };
}

function designAction(spec: ExperimentSpec, le: LiveExperiment | undefined): Child | undefined {
  if (spec.design === undefined) return undefined;
  const liveDesign: DesignData | null = le ? (le.design ?? null) : null;
  if (spec.design === null) {
    if (!liveDesign) return undefined;
    return [
      {
        id: `design.delete:${spec.key}`,
        type: 'design',
        op: 'delete',
        target: childTarget('design', spec, le, liveDesign.plugin_id),
        changes: deletedDesign(liveDesign),
        dependsOn: [],
        source: spec.source,
      },
      { kind: 'design.delete', spec },
    ];
  }
  const changes = diffDesign(spec.design, liveDesign);
  if (changes.length === 0) return undefined;
  const keepVersion =
    spec.design.schema_version === undefined && liveDesign?.schema_version != null
      ? String(liveDesign.schema_version)
      : undefined;
  return [
    {
      id: `design.save:${spec.key}`,
      type: 'design',
      op: liveDesign ? 'update' : 'create',
      target: childTarget('design', spec, le, spec.design.plugin_id),
      changes,
      dependsOn: [],
      source: spec.design.source,
    },
    { kind: 'design.save', spec, design: spec.design, keepVersion },
  ];
}

function analysisAction(
  spec: ExperimentSpec,
  a: AnalysisSpec,
  le: LiveExperiment | undefined,
): Child | undefined {
  const liveResult = le?.analysis?.get(a.plugin_id) ?? null;
  const changes = diffAnalysis(a, liveResult);
  if (changes.length === 0) return undefined;
  const target = childTarget('analysis', spec, le, a.plugin_id);
  if (a.result === null) {
    return [
      {
        id: `analysis.delete:${spec.key}:${a.plugin_id}`,
        type: 'analysis',
        op: 'delete',
        target,
        changes,
        dependsOn: [],
        source: a.source,
      },
      { kind: 'analysis.delete', spec, pluginId: a.plugin_id },
    ];
  }
  return [
    {
      id: `analysis.save:${spec.key}:${a.plugin_id}`,
      type: 'analysis',
      op: liveResult ? 'update' : 'create',
      target,
      changes,
      dependsOn: [],
      source: a.source,
    },
    { kind: 'analysis.save', spec, analysis: a },
  ];
}

// ---- duplicates -------------------------------------------------------------------------------

/** The keys of the manifest that several live experiments carry, and whether `--dedupe` resolves each. */
function findDuplicates(d: PlanDraft): PlanDuplicate[] {
  const specs = new Map(d.manifest.experiments.map((s) => [s.key, s]));
  const out: PlanDuplicate[] = [];
  for (const [key, copies] of d.live.duplicates) {
    const spec = specs.get(key);
    if (!spec || copies.length < 2) continue; // a key the manifest dropped: every copy is an orphan
    const extras = copies.slice(1).map((e) => ({ e, holds: d.opts.duplicateContents?.get(e.id) }));
    const full = extras.find((x) => x.holds === undefined || x.holds.length > 0);
    const blocker = full
      ? full.holds === undefined
        ? `could not tell whether ${full.e.experiment_code} holds design data or results`
        : `${full.e.experiment_code} holds ${full.holds.join(', ')}`
      : undefined;
    out.push({
      key,
      copies: copies.map((e) => ({
        code: e.experiment_code,
        experimentId: e.id,
        name: e.name,
        ...(d.opts.duplicateContents?.has(e.id) ? { holds: d.opts.duplicateContents.get(e.id) } : {}),
      })),
      resolved: (d.opts.dedupe ?? false) && !blocker,
      ...(blocker ? { blocker } : {}),
      source: spec.source,
    });
  }
  return out;
}

/** With `--dedupe`: delete the empty extra copies of each resolvable duplicated key, keep the oldest. */
function planDedupe(d: PlanDraft, duplicates: PlanDuplicate[]): void {
  for (const dup of duplicates) {
    if (!dup.resolved) continue;
    const [kept, ...extras] = d.live.duplicates.get(dup.key)!;
    for (const e of extras) {
      add(
        d,
        {
          id: `experiment.dedupe:${dup.key}@${e.experiment_code}`,
          type: 'experiment',
          op: 'delete',
          target: experimentTarget(dup.key, e),
          changes: [{ field: 'name', before: e.name }],
          dependsOn: [],
          reason: `duplicate of ${kept.experiment_code}, holds no design data or results`,
          source: dup.source,
        },
        { kind: 'experiment.dedupe', key: dup.key, experiment: e, kept },
      );
    }
  }
}

// ---- orphans ----------------------------------------------------------------------------------

/**
 * Orphans are listed always and deleted only with prune. Ownership needs both tags: an experiment
 * with the stack tag and no key is reported, never deleted.
 */
function planOrphans(d: PlanDraft): { orphans: Plan['orphans']; unkeyed: NonNullable<Plan['unkeyed']> } {
  const prune = d.opts.prune ?? false;
  const inManifest = new Set(d.manifest.experiments.map((e) => e.key));
  const orphans: Plan['orphans'] = [];
  const seen = new Set<number>();
  const ids = new Set<string>();
  for (const o of orphansOf(d.manifest, d.live)) {
    if (seen.has(o.experiment.id)) continue;
    seen.add(o.experiment.id);
    orphans.push({
      key: o.key,
      code: o.experiment.experiment_code,
      experimentId: o.experiment.id,
      name: o.experiment.name,
    });
    let id = `experiment.delete:${o.key}`;
    if (ids.has(id) || inManifest.has(o.key)) id = `${id}@${o.experiment.experiment_code}`;
    ids.add(id);
    if (prune) planOrphanDelete(d, o, id);
  }
  const unkeyed = [...d.live.unkeyed, ...d.live.orphans.filter((o) => !o.key).map((o) => o.experiment)].map(
    (e) => ({ code: e.experiment_code, experimentId: e.id, name: e.name }),
  );
  for (const u of unkeyed) {
    d.warnings.push({
      code: 'ownership.unkeyed',
      message: `${u.code} (${JSON.stringify(u.name)}) is tagged for this stack without a key: not managed, never deleted; give it a ${'`mint-manifest.key`'} tag or remove its stack tag`,
    });
  }
  return { orphans, unkeyed };
}

/** Keyed orphans, plus every copy of a duplicated key the manifest no longer lists. */
function orphansOf(manifest: ResolvedManifest, live: LiveState): LiveOrphan[] {
  const out = live.orphans.filter((o) => o.key);
  const keysInManifest = new Set(manifest.experiments.map((e) => e.key));
  for (const [key, copies] of live.duplicates) {
    if (keysInManifest.has(key)) continue;
    for (const e of copies) out.push({ experiment: e, key, reason: 'orphaned: no longer in the manifest' });
  }
  return out;
}

function planOrphanDelete(d: PlanDraft, o: LiveOrphan, id: string): void {
  if (o.experiment.status === 'completed') {
    d.warnings.push({
      code: 'experiment.completed-delete',
      message: `orphan ${o.experiment.experiment_code} (key ${o.key}) is completed: only a MINT admin can delete it`,
      key: o.key,
    });
  }
  add(
    d,
    {
      id,
      type: 'experiment',
      op: 'delete',
      target: experimentTarget(o.key, o.experiment),
      changes: [{ field: 'name', before: o.experiment.name }],
      dependsOn: [],
      reason: o.reason,
    },
    { kind: 'experiment.delete', orphan: o },
  );
}

// ---- summary, fingerprint, staleness ----------------------------------------------------------

function summarize(
  actions: PlanAction[],
  orphaned: number,
  unchanged: number,
  duplicates: number,
): PlanSummary {
  const count = (op: PlanAction['op']) => actions.filter((a) => a.op === op).length;
  return {
    create: count('create'),
    update: count('update'),
    delete: count('delete'),
    orphaned,
    unchanged,
    ...(duplicates > 0 ? { duplicates } : {}),
  };
}

/**
 * sha256 of the canonical action list: changes iff what apply would do changes, including which
 * live object each action writes (its id and code), so a reviewed plan cannot apply elsewhere.
 */
export function planFingerprint(
  stack: string,
  prune: boolean,
  actions: PlanAction[],
  dedupe = false,
): string {
  // Streamed into the hash one action at a time: no copy of the plan, no text of it.
  return canonicalDigest((w) => {
    w.raw('{"actions":[');
    for (let i = 0; i < actions.length; i++) {
      const a = actions[i];
      if (i) w.raw(',');
      w.value(
        {
          id: a.id,
          type: a.type,
          op: a.op,
          target: {
            experimentId: a.target.experimentId ?? null,
            code: a.target.code ?? null,
            projectId: a.target.projectId ?? null,
          },
          changes: a.changes,
          dependsOn: a.dependsOn,
          adopt: a.adopt ?? false,
        },
        false,
      );
    }
    w.raw(']');
    if (dedupe) w.raw(',"dedupe":true');
    w.field(false, 'prune', prune);
    w.field(false, 'stack', stack);
    w.raw('}');
  });
}

/** Per-object digests of what the plan was computed from; 'absent' where nothing was found. */
export function liveStateDigests(manifest: ResolvedManifest, live: LiveState): Record<string, string> {
  const out: Record<string, string> = {};
  for (const ps of manifest.projects) {
    const p = live.projects.get(ps.key);
    out[`project:${ps.key}`] = p ? digest(p) : 'absent';
  }
  for (const spec of manifest.experiments) {
    const le = live.experiments.get(spec.key);
    out[`experiment:${spec.key}`] = le ? digest(le.experiment) : 'absent';
    if (spec.design !== undefined && le) out[`design:${spec.key}`] = le.design ? digest(le.design) : 'absent';
    for (const a of spec.analysis ?? []) {
      const r = le?.analysis?.get(a.plugin_id);
      if (le) out[`analysis:${spec.key}:${a.plugin_id}`] = r ? digest(r) : 'absent';
    }
  }
  for (const o of orphansOf(manifest, live)) out[`orphan:${o.experiment.id}`] = digest(o.experiment);
  const keys = new Set(manifest.experiments.map((e) => e.key));
  for (const [key, copies] of live.duplicates)
    if (keys.has(key)) for (const e of copies.slice(1)) out[`duplicate:${e.id}`] = digest(e);
  return out;
}

/** The liveState keys an action depends on (to decide whether a saved plan went stale). */
export function liveKeysOf(action: PlanAction): string[] {
  const { key, pluginId, experimentId } = action.target;
  switch (action.type) {
    case 'project':
      return [`project:${key}`];
    case 'experiment':
      if (action.id.startsWith('experiment.dedupe:')) return [`duplicate:${experimentId}`];
      return action.op === 'delete' ? [`orphan:${experimentId}`] : [`experiment:${key}`];
    case 'design':
      return [`experiment:${key}`, `design:${key}`];
    case 'analysis':
      return [`experiment:${key}`, `analysis:${key}:${pluginId}`];
  }
}

/** Which objects changed between a saved plan and a fresh one, among those either plan touches. */
export function staleObjects(saved: Plan, fresh: Plan): string[] {
  const touched = new Set<string>();
  for (const a of [...saved.actions, ...fresh.actions]) for (const k of liveKeysOf(a)) touched.add(k);
  const keys = new Set([...Object.keys(saved.liveState), ...Object.keys(fresh.liveState)]);
  const out: string[] = [];
  for (const k of [...keys].sort()) {
    const a = saved.liveState[k];
    const b = fresh.liveState[k];
    if (a === b) continue;
    if (a === undefined) out.push(`${k} appeared`);
    else if (b === undefined) out.push(`${k} disappeared`);
    else if (touched.has(k))
      out.push(
        b === 'absent' ? `${k} was deleted` : a === 'absent' ? `${k} was created` : `${k} was modified`,
      );
  }
  return out;
}
