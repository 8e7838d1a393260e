/**
 * Local workspace host for the app: runs the packaged app in the real
 * Apps-Engine runtime behind an in-memory Rocket.Chat workspace, as a cluster
 * of one or more instances served on Rocket.Chat's URL layout. Used by
 * `npm start`, the integration tests and the benchmarks.
 */
export { parseWorkspace, generateDemoWorkspace, prng } from './workspace';
export type { Workspace, WorkspaceUser, WorkspaceRoom } from './workspace';
export { startHost } from './host';
export { loadDataDir } from './dataDir';
export type { HostInstance, RunningHost, StartHostOptions } from './host';
export type { AppAccessors, InstanceStats } from './instance';
export { DEFAULT_ENGINE, ENGINE_VERSIONS, isEngineVersion } from './engine';
export type { EngineVersion } from './engine';
