// The validated, located, typed manifest that src/manifest produces and src/actions consumes.
import type { ExperimentStatus, JsonObject, JsonValue } from '../client/models.js';

/** Where a value was written: 1-based line and column in a manifest (or data) file. */
export interface SourceLocation {
  /** Path as the user gave it / relative to the working directory when possible. */
  file: string;
  line: number;
  column: number;
  /** JSON path inside the document, e.g. `experiments[2].design.data_file`. */
  path: string;
}

export type Severity = 'error' | 'warning';

/** One problem found while loading/validating. Every error a user sees is one of these. */
export interface Diagnostic extends SourceLocation {
  severity: Severity;
  /** Stable machine code, e.g. `schema.required`, `yaml.duplicate-key`, `ref.unknown-project`. */
  code: string;
  /** One line: what is wrong. */
  message: string;
  expected?: string;
  found?: string;
  /** What to do about it, e.g. "did you mean `experiment_type`?". */
  hint?: string;
}

export interface ProjectSpec {
  key: string;
  /** Matched against live projects by name; created when missing. */
  name?: string;
  description?: string | null;
  /** An existing project, referenced by id, never changed. */
  id?: number;
  source: SourceLocation;
}

export interface DesignSpec {
  plugin_id: string;
  /** Absent = not managed (the live version stays; a new payload gets MINT's default). */
  schema_version?: string;
  data: JsonValue;
  /** The data_file it came from (as written in the manifest), if any. */
  data_file?: string;
  source: SourceLocation;
}

export interface AnalysisSpec {
  plugin_id: string;
  /** `null` means: delete this result. */
  result: JsonValue | null;
  result_file?: string;
  source: SourceLocation;
}

/**
 * An experiment after defaults and interpolation. A field that is `undefined` is NOT managed
 * (neither diffed nor changed). `design === null` means delete the design data;
 * `design === undefined` means design data is unmanaged.
 */
export interface ExperimentSpec {
  key: string;
  /** Adopt the live experiment with this experiment_code. */
  code?: string;
  name?: string;
  experiment_type?: string;
  /** A project key from `projects:` (after defaults). */
  project?: string;
  status?: ExperimentStatus;
  /** Where `status` was written (the experiment's line, or `defaults.status`). */
  statusSource?: SourceLocation;
  notes?: string | null;
  /** User tags only (never `mint-manifest.*`); merged beside the ownership tags. A `null` value removes the tag. */
  tags?: JsonObject;
  start_date?: string | null;
  end_date?: string | null;
  design?: DesignSpec | null;
  /** Results managed per listed plugin_id; others are left alone. */
  analysis?: AnalysisSpec[];
  source: SourceLocation;
}

export interface ResolvedManifest {
  version: 1;
  stack: string;
  /** Every manifest file that was read (display paths). */
  files: string[];
  projects: ProjectSpec[];
  experiments: ExperimentSpec[];
}

export type LoadResult =
  | { ok: true; manifest: ResolvedManifest; warnings: Diagnostic[] }
  | { ok: false; errors: Diagnostic[]; warnings: Diagnostic[] };

/** Reserved tag prefix and the two ownership tags. */
export const TAG_PREFIX = 'mint-manifest.';
export const STACK_TAG = 'mint-manifest.stack';
export const KEY_TAG = 'mint-manifest.key';

// ---------------------------------------------------------------------------------------------
// The manifest as written (one file, before defaults/interpolation/file loading). These mirror
// schema/manifest.schema.json one to one; test/manifest/schema-model.test.ts keeps them in step.

export interface ManifestDefaultsInput {
  project?: string;
  experiment_type?: string;
  status?: ExperimentStatus;
  tags?: ManifestTags;
}

/** User tags as written: scalar values only. */
export type ManifestTags = { [name: string]: string | number | boolean | null };

export interface ProjectInput {
  key: string;
  name?: string;
  description?: string | null;
  id?: number;
}

export interface DesignInput {
  plugin_id: string;
  /** A string: quote it (`"1.0"`); a bare YAML number is an error (it would lose its form). */
  schema_version?: string;
  data?: JsonValue;
  data_file?: string;
}

export interface AnalysisInput {
  plugin_id: string;
  result?: JsonValue | null;
  result_file?: string;
}

export interface ExperimentInput {
  key: string;
  code?: string;
  name?: string;
  experiment_type?: string;
  project?: string;
  status?: ExperimentStatus;
  notes?: string | null;
  tags?: ManifestTags;
  start_date?: string | null;
  end_date?: string | null;
  design?: DesignInput | null;
  analysis?: AnalysisInput[];
}

export interface ManifestDocument {
  version: 1;
  stack: string;
  defaults?: ManifestDefaultsInput;
  projects?: ProjectInput[];
  experiments?: ExperimentInput[];
  /** experiment_type → JSON Schema file (relative to the manifest) for its design data. */
  schemas?: { [experimentType: string]: string };
}
