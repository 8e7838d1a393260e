/**
 * Local workspace host for the app: runs the packaged app in the real
 * Apps-Engine runtime behind an in-memory Rocket.Chat workspace, served on
 * Rocket.Chat's URL layout. Used by `npm start`, the integration tests and
 * the benchmarks.
 */
export { parseWorkspace, generateDemoWorkspace } from './workspace';
export type { Workspace, WorkspaceUser, WorkspaceRoom } from './workspace';
export { startHost } from './host';
export type { RunningHost, StartHostOptions } from './host';
