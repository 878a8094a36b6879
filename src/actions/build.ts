// Pure plan construction: manifest + live state → ordered actions, warnings, fingerprint, liveState.
import type { ExperimentStatus, Project } from '../client/models.js';
import type {
  AnalysisSpec,
  DesignSpec,
  ExperimentSpec,
  ProjectSpec,
  ResolvedManifest,
} from '../manifest/model.js';
import { canonicalJson, digest, sha256, textEqual } from './canonical.js';
import {
  createChanges,
  deletedDesign,
  diffAnalysis,
  diffDesign,
  diffExperiment,
  type ProjectTarget,
} from './diff.js';
import type { LiveExperiment, LiveOrphan, LiveState } from './live.js';
import { statusMoveIssue } from './status.js';
import type { Plan, PlanAction, PlanSummary, PlanWarning } from './types.js';

/** What apply needs to carry out one action (kept out of the serialised plan). */
export type ActionStep =
  | { kind: 'project.create'; spec: ProjectSpec }
  | { kind: 'project.update'; spec: ProjectSpec; project: Project }
  | { kind: 'experiment.create'; spec: ExperimentSpec }
  | { kind: 'experiment.update'; spec: ExperimentSpec; live: LiveExperiment; adopt: boolean }
  /** The move into `completed`, held back until the experiment's design and analysis are written. */
  | { kind: 'experiment.status'; spec: ExperimentSpec }
  | { kind: 'experiment.delete'; orphan: LiveOrphan }
  | { kind: 'design.save'; spec: ExperimentSpec; design: DesignSpec }
  | { kind: 'design.delete'; spec: ExperimentSpec }
  | { kind: 'analysis.save'; spec: ExperimentSpec; analysis: AnalysisSpec }
  | { kind: 'analysis.delete'; spec: ExperimentSpec; pluginId: string };

export interface BuiltPlan {
  plan: Plan;
  steps: Map<string, ActionStep>;
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

export function buildPlan(
  manifest: ResolvedManifest,
  live: LiveState,
  opts: { prune?: boolean } = {},
): BuiltPlan {
  const prune = opts.prune ?? false;
  const stack = manifest.stack;
  const actions: PlanAction[] = [];
  const steps = new Map<string, ActionStep>();
  const warnings: PlanWarning[] = [...live.warnings];
  const projectSpecs = new Map(manifest.projects.map((p) => [p.key, p]));
  const add = (action: PlanAction, step: ActionStep) => {
    actions.push(action);
    steps.set(action.id, step);
  };

  for (const ps of manifest.projects) {
    if (ps.id !== undefined) continue; // referenced by id: never changed
    const p = live.projects.get(ps.key);
    if (!p) {
      const changes = [{ field: 'name', after: ps.name ?? ps.key }];
      if (ps.description !== undefined && ps.description !== null)
        changes.push({ field: 'description', after: ps.description });
      add(
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
    } else if (ps.description !== undefined && !textEqual(p.description, ps.description)) {
      add(
        {
          id: `project.update:${ps.key}`,
          type: 'project',
          op: 'update',
          target: { type: 'project', key: ps.key, projectId: p.id },
          changes: [{ field: 'description', before: p.description ?? null, after: ps.description }],
          dependsOn: [],
          source: ps.source,
        },
        { kind: 'project.update', spec: ps, project: p },
      );
    }
  }

  let unchanged = 0;
  for (const spec of manifest.experiments) {
    const before = actions.length;
    planExperiment(spec);
    if (actions.length === before) unchanged++;
  }

  function planExperiment(spec: ExperimentSpec) {
    const key = spec.key;
    const le = live.experiments.get(key);
    const exp = le?.experiment;
    const project = projectTargetFor(spec, projectSpecs, live);
    const projectDeps =
      project && project.id === undefined && spec.project ? [`project.create:${spec.project}`] : [];
    const target = { type: 'experiment' as const, key, code: exp?.experiment_code, experimentId: exp?.id };
    const adopt = le?.matchedBy === 'code';
    const children = childActions(spec, le);
    const liveStatus: ExperimentStatus = exp?.status ?? 'planned';
    const wantStatus = spec.status ?? liveStatus;
    // MINT makes a completed experiment read-only: write design and analysis first, complete after.
    const hold = wantStatus === 'completed' && liveStatus !== 'completed' && children.length > 0;
    const mainSpec: ExperimentSpec = hold ? { ...spec, status: undefined } : spec;

    let main: PlanAction | undefined;
    if (!exp) {
      main = {
        id: `experiment.create:${key}`,
        type: 'experiment',
        op: 'create',
        target,
        changes: createChanges(mainSpec, stack, project),
        dependsOn: projectDeps,
        source: spec.source,
      };
      add(main, { kind: 'experiment.create', spec: mainSpec });
    } else {
      const changes = diffExperiment(mainSpec, exp, stack, project);
      if (changes.length > 0) {
        main = {
          id: `experiment.update:${key}`,
          type: 'experiment',
          op: 'update',
          target,
          changes,
          dependsOn: projectDeps,
          ...(adopt ? { adopt: true, reason: `adopting ${exp.experiment_code} by code` } : {}),
          source: spec.source,
        };
        add(main, { kind: 'experiment.update', spec: mainSpec, live: le!, adopt });
      }
    }
    // New and adopted experiments must exist and carry our tags before anything is written to them.
    const childDeps = main && (!exp || adopt) ? [main.id] : [];
    for (const [action, step] of children) add({ ...action, dependsOn: childDeps }, step);
    if (hold) {
      add(
        {
          id: `experiment.status:${key}`,
          type: 'experiment',
          op: 'update',
          target,
          changes: [{ field: 'status', before: liveStatus, after: wantStatus }],
          dependsOn: [...(main ? [main.id] : []), ...children.map(([a]) => a.id)],
          reason: 'completed after its design data and analysis results are written',
          source: spec.source,
        },
        { kind: 'experiment.status', spec },
      );
    }

    const issue = statusMoveIssue(key, liveStatus, wantStatus);
    if (issue) warnings.push({ ...issue, key, source: spec.source });
    const edits = (main?.changes.some((c) => c.field !== 'status') ?? false) || children.length > 0;
    if (exp?.status === 'completed' && edits) {
      warnings.push({
        code: 'experiment.completed-edit',
        message: `experiment ${key} (${exp.experiment_code}) is completed: MINT lets only admins change it or its data, so this may fail with permission denied`,
        key,
        source: spec.source,
      });
    }
  }

  function childActions(spec: ExperimentSpec, le: LiveExperiment | undefined): [PlanAction, ActionStep][] {
    const key = spec.key;
    const out: [PlanAction, ActionStep][] = [];
    const base = { key, code: le?.experiment.experiment_code, experimentId: le?.experiment.id };
    if (spec.design !== undefined) {
      const liveDesign = le ? (le.design ?? null) : null;
      if (spec.design === null) {
        if (liveDesign) {
          out.push([
            {
              id: `design.delete:${key}`,
              type: 'design',
              op: 'delete',
              target: { type: 'design', ...base, pluginId: liveDesign.plugin_id },
              changes: deletedDesign(liveDesign),
              dependsOn: [],
              source: spec.source,
            },
            { kind: 'design.delete', spec },
          ]);
        }
      } else {
        const changes = diffDesign(spec.design, liveDesign);
        if (changes.length > 0) {
          out.push([
            {
              id: `design.save:${key}`,
              type: 'design',
              op: liveDesign ? 'update' : 'create',
              target: { type: 'design', ...base, pluginId: spec.design.plugin_id },
              changes,
              dependsOn: [],
              source: spec.design.source,
            },
            { kind: 'design.save', spec, design: spec.design },
          ]);
        }
      }
    }
    for (const a of spec.analysis ?? []) {
      const liveResult = le?.analysis?.get(a.plugin_id) ?? null;
      const changes = diffAnalysis(a, liveResult);
      if (changes.length === 0) continue;
      const target = { type: 'analysis' as const, ...base, pluginId: a.plugin_id };
      if (a.result === null) {
        out.push([
          {
            id: `analysis.delete:${key}:${a.plugin_id}`,
            type: 'analysis',
            op: 'delete',
            target,
            changes,
            dependsOn: [],
            source: a.source,
          },
          { kind: 'analysis.delete', spec, pluginId: a.plugin_id },
        ]);
      } else {
        out.push([
          {
            id: `analysis.save:${key}:${a.plugin_id}`,
            type: 'analysis',
            op: liveResult ? 'update' : 'create',
            target,
            changes,
            dependsOn: [],
            source: a.source,
          },
          { kind: 'analysis.save', spec, analysis: a },
        ]);
      }
    }
    return out;
  }

  const deleteIds = new Set<string>();
  for (const o of live.orphans) {
    let id = `experiment.delete:${o.key}`;
    if (deleteIds.has(id) || manifest.experiments.some((e) => e.key === o.key))
      id = `${id}@${o.experiment.experiment_code}`;
    deleteIds.add(id);
    if (!prune) continue;
    if (o.experiment.status === 'completed') {
      warnings.push({
        code: 'experiment.completed-delete',
        message: `orphan ${o.experiment.experiment_code} (key ${o.key || 'none'}) is completed: only a MINT admin can delete it`,
        key: o.key,
      });
    }
    add(
      {
        id,
        type: 'experiment',
        op: 'delete',
        target: {
          type: 'experiment',
          key: o.key,
          code: o.experiment.experiment_code,
          experimentId: o.experiment.id,
        },
        changes: [{ field: 'name', before: o.experiment.name }],
        dependsOn: [],
        reason: o.reason,
      },
      { kind: 'experiment.delete', orphan: o },
    );
  }

  const summary: PlanSummary = {
    create: actions.filter((a) => a.op === 'create').length,
    update: actions.filter((a) => a.op === 'update').length,
    delete: actions.filter((a) => a.op === 'delete').length,
    orphaned: prune ? 0 : live.orphans.length,
    unchanged,
  };
  const plan: Plan = {
    formatVersion: 1,
    stack,
    files: manifest.files,
    actions,
    orphans: live.orphans.map((o) => ({
      key: o.key,
      code: o.experiment.experiment_code,
      experimentId: o.experiment.id,
      name: o.experiment.name,
    })),
    warnings,
    summary,
    hasChanges: actions.length > 0,
    fingerprint: planFingerprint(stack, prune, actions),
    liveState: liveStateDigests(manifest, live),
    prune,
  };
  return { plan, steps };
}

/** sha256 of the canonical action list: changes iff what apply would do changes. */
export function planFingerprint(stack: string, prune: boolean, actions: PlanAction[]): string {
  const canonical = actions.map((a) => ({
    id: a.id,
    type: a.type,
    op: a.op,
    changes: a.changes,
    dependsOn: a.dependsOn,
    adopt: a.adopt ?? false,
  }));
  return sha256(canonicalJson({ stack, prune, actions: canonical }));
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
  for (const o of live.orphans) out[`orphan:${o.experiment.id}`] = digest(o.experiment);
  return out;
}

/** The liveState keys an action depends on (to decide whether a saved plan went stale). */
export function liveKeysOf(action: PlanAction): string[] {
  const { key, pluginId, experimentId } = action.target;
  switch (action.type) {
    case 'project':
      return [`project:${key}`];
    case 'experiment':
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
