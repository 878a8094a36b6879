// A local MINT server that follows ../shared/mint-api.md: the integration-test target, the demo's
// embedded default, and `mint-manifest sandbox`.
export { startSandbox, SANDBOX_VERSION } from './start.js';
export type {
  CreateTokenOptions,
  FaultConfig,
  FaultRule,
  RequestLogEntry,
  Sandbox,
  SandboxOptions,
  SandboxRole,
  SandboxStats,
  SandboxUser,
} from './types.js';
export { SANDBOX_ROUTES, CONTROL_ROUTES } from './routes.js';
export type { RouteSpec } from './routes.js';
export { runSandboxCli, parseSandboxArgs } from './cli.js';
export type { SandboxCliOptions } from './cli.js';
export { prepareLoadTargets } from './load.js';
export type { LoadTarget } from './load.js';
