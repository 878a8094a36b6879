// The manifest library: YAML files → validated, located, typed manifest. No network.
export { loadManifests, MAX_MANIFEST_BYTES, type LoadOptions } from './load.js';
export { formatDiagnostic } from './diagnostics.js';
export { manifestSchema, MANIFEST_SCHEMA_PATH, type JsonSchemaObject } from './schema.js';
export { DEFAULT_MAX_FILE_BYTES, parseDataText, type DataParse } from './files.js';
export {
  ALLOW_ENV_VARIABLE,
  DEFAULT_ALLOWED_ENV,
  DENIED_ENV,
  interpolate,
  parseAllowEnv,
  type InterpolationError,
  type InterpolationPolicy,
  type InterpolationResult,
} from './interpolate.js';
export { findWorkspaceRoot } from './workspace.js';
export * from './model.js';
