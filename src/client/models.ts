// Wire models of the MINT REST contract (../shared/mint-api.md). Field names stay snake_case,
// exactly as on the wire, like the platform's own Python client.

export type ExperimentStatus = 'planned' | 'ongoing' | 'completed' | 'cancelled';
export const EXPERIMENT_STATUSES: readonly ExperimentStatus[] = [
  'planned',
  'ongoing',
  'completed',
  'cancelled',
];

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface Experiment {
  id: number;
  experiment_code: string;
  name: string;
  experiment_type: string;
  status: ExperimentStatus;
  project_id: number | null;
  project?: string | null;
  notes?: string | null;
  tags: JsonObject;
  custom_metadata?: JsonObject | null;
  parent_experiment_id?: number | null;
  start_date?: string | null;
  end_date?: string | null;
  created_by?: string | number | null;
  created_at?: string;
  updated_at?: string;
  has_design_data: boolean;
}

export interface ExperimentCreate {
  name: string;
  experiment_type: string;
  project_id?: number | null;
  notes?: string | null;
  tags?: JsonObject;
  parent_experiment_id?: number | null;
  start_date?: string | null;
  end_date?: string | null;
}

export interface ExperimentUpdate {
  name?: string;
  status?: ExperimentStatus;
  experiment_type?: string;
  project_id?: number | null;
  notes?: string | null;
  tags?: JsonObject;
  start_date?: string | null;
  end_date?: string | null;
}

export interface PageOptions {
  skip?: number;
  /** Page size; default 100. */
  limit?: number;
}

export interface ExperimentListFilters extends PageOptions {
  status?: ExperimentStatus;
  experiment_type?: string;
  project_id?: number;
  /** Project name. */
  project?: string;
  search?: string;
  mine?: boolean;
  created_after?: string;
  created_before?: string;
  created_by?: string;
  sort_by?: 'created_at' | 'updated_at' | 'name' | 'status';
  sort_order?: 'asc' | 'desc';
}

export interface ExperimentTypeInfo {
  value: string;
  label: string;
  color?: string | null;
}

export interface NextSeq {
  experiment_type: string;
  next_seq: number;
  next_code: string;
}

export interface DesignData {
  experiment_id: number;
  plugin_id: string;
  data: JsonValue;
  schema_version: string;
  updated_at?: string;
}

export interface DesignDataSave {
  plugin_id: string;
  data: JsonValue;
  /** Defaults to "1.0" on the server. */
  schema_version?: string;
}

export interface AnalysisResult {
  experiment_id: number;
  plugin_id: string;
  result: JsonValue;
  created_at?: string;
  updated_at?: string;
}

export type ProjectStatus = 'active' | 'archived' | 'completed';

export interface Project {
  id: number;
  name: string;
  description?: string | null;
  status?: ProjectStatus;
  created_at?: string;
  updated_at?: string;
  [extra: string]: unknown;
}

export interface ProjectCreate {
  name: string;
  description?: string | null;
}

export interface ProjectUpdate {
  name?: string;
  description?: string | null;
  status?: ProjectStatus;
}

export interface ProjectListFilters extends PageOptions {
  status?: ProjectStatus;
  search?: string;
  my_projects?: boolean;
}

export interface ProjectMember {
  user_id?: number;
  username: string;
  role?: string;
  [extra: string]: unknown;
}

export interface PluginInfo {
  id: string;
  name: string;
  version?: string;
  /** Where the plugin's own routes live, e.g. `/api/peak-qc`. */
  api_prefix?: string;
  [extra: string]: unknown;
}

export interface PluginConfig {
  plugin_name: string;
  config: JsonObject;
  /** Opaque: compare, never parse. */
  revision?: string;
  [extra: string]: unknown;
}

/** A plugin's own settings (`{api_prefix}/settings`). */
export interface PluginSettings {
  settings: JsonObject;
  mode?: string;
  /** Opaque: send it back in If-Match to write only over what was read. */
  revision?: string;
  [extra: string]: unknown;
}

/** Public server setup, readable without a token (MINT's SDK asks it first). */
export interface PublicSetupConfig {
  auth_required: boolean;
  passkey_enabled: boolean;
  registration_enabled?: boolean;
  database_mode?: string;
  access?: { experiment_visibility_mode?: string };
  [extra: string]: unknown;
}

export type ArtifactStatus = 'active' | 'archived' | (string & {});

/** An analysis artifact a plugin wrote, as listed. */
export interface AnalysisArtifact {
  id: number;
  experiment_id: number;
  plugin_id: string;
  artifact_key: string;
  display_name: string;
  note?: string | null;
  status: ArtifactStatus;
  archived?: boolean;
  result_keys?: string[];
  created_at?: string | null;
  updated_at?: string | null;
  archived_at?: string | null;
  archived_by?: number | null;
  [extra: string]: unknown;
}

/** One artifact with its payload. */
export interface AnalysisArtifactDetail extends AnalysisArtifact {
  result: JsonObject;
  tree?: JsonValue;
  summary?: JsonValue;
}

/** display_name sets the name; note: a string sets it, null clears it, absent keeps it. */
export interface ArtifactAnnotation {
  display_name?: string;
  note?: string | null;
}

export interface HealthInfo {
  status: string;
  version?: string;
  boot_id?: string;
  [extra: string]: unknown;
}

export interface TokenResponse {
  access_token: string;
  token_type: string;
  expires_in?: number;
}

export interface VerifyResponse {
  valid: boolean;
  username?: string;
  expires_at?: string | null;
}

export interface User {
  id: number;
  username: string;
  shortname?: string | null;
  email?: string | null;
  role: string;
  is_active: boolean;
}
