// validate(): load and check manifests. The CLI and the Action call this, not the manifest module.
import { loadManifests } from '../manifest/index.js';
import type { LoadResult, ResolvedManifest } from '../manifest/model.js';
import { ManifestInvalidError } from './errors.js';

export interface ValidateOptions {
  /** Files, folders and globs. */
  paths: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  workspaceRoot?: string;
  /** Names and globs `${VAR}` may read besides the defaults (see LoadOptions.allowEnv). */
  allowEnv?: readonly string[];
  /** Secret values never interpolated (see LoadOptions.deniedValues). */
  deniedValues?: readonly string[];
  maxFileBytes?: number;
  allowMixedStacks?: boolean;
}

/** Never throws for problems in the manifests: they come back as diagnostics. */
export function validate(opts: ValidateOptions): Promise<LoadResult> {
  return loadManifests(opts.paths, {
    cwd: opts.cwd,
    env: opts.env,
    workspaceRoot: opts.workspaceRoot,
    allowEnv: opts.allowEnv,
    deniedValues: opts.deniedValues,
    maxFileBytes: opts.maxFileBytes,
    allowMixedStacks: opts.allowMixedStacks,
  });
}

/** The manifest, or ManifestInvalidError carrying every diagnostic. */
export async function loadManifestOrThrow(opts: ValidateOptions): Promise<ResolvedManifest> {
  const result = await validate(opts);
  if (!result.ok) throw new ManifestInvalidError([...result.errors, ...result.warnings]);
  return result.manifest;
}
