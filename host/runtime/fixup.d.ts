/** The types of fixup.js, the offline fix-ups of the engines' Deno runtimes (a CommonJS script, also run as `postinstall`). */
export interface FixupOptions {
    /** The engine's package name (default @rocket.chat/apps-engine, 1.62.0). */
    engine?: string;
    projectRoot?: string;
    denoDir?: string;
    cache?: boolean;
    force?: boolean;
    quiet?: boolean;
}

export function fixup(options?: FixupOptions): { changed: string[]; cached: boolean; denoDir: string; engineDir: string };

export function defaultDenoDir(projectRoot?: string): string;

export function findAppsEngineDir(projectRoot: string, engine?: string): string;

/** Engine version to package name. */
export const ENGINE_PACKAGES: Record<string, string>;

export const PROJECT_ROOT: string;
