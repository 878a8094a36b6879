// The library: `import { MintClient, loadManifests, plan, apply } from 'mint-manifest'`.
// Subpaths (`mint-manifest/client`, `/manifest`, `/actions`, `/sandbox`) import one layer alone.
export * from './client/index.js';
export * from './manifest/index.js';
export * from './actions/index.js';
