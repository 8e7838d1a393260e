#!/usr/bin/env node
/*
 * Offline fix-ups for the Deno runtimes shipped in @rocket.chat/apps-engine
 * 1.62.0 and 1.59.0 (installed as the alias @rocket.chat/apps-engine-1.59).
 *
 * Runs as the package.json `postinstall` script (so after every `npm install`
 * and `npm ci`) and again, cheaply, before the local workspace host starts an
 * app. Idempotent: every step compares before it writes.
 *
 * 1. `deno-runtime/deno.jsonc` imports `jsr:@std/cli` (and, in 1.62,
 *    `jsr:@std/io` and `jsr:@std/streams`; 1.59 imports `writeAll` from a
 *    deno.land URL), and neither host is reachable from here. Only `parseArgs`, `writeAll` and `toArrayBuffer` are used: small local
 *    stand-ins (host/runtime/std/*.ts) are copied next to the runtime and the
 *    import map is pointed at them. The runtime's lock file pins the JSR
 *    packages, so it is switched off (`"lock": false`).
 * 2. (1.62) `handlers/app/handleUploadEvents.ts` imports
 *    `../src/definition/exceptions/AppsEngineException.ts`, which the package
 *    does not ship: a stand-in that re-exports the compiled `.js` is written.
 * 3. The engine starts the runtime with `deno run --cached-only`, so every
 *    `npm:` import must already be in DENO_DIR. They are cached from the npm
 *    registry into `<project>/.deno-cache` (or $DENO_DIR when set), the
 *    directory the host hands to the engine.
 *    Deno 2 refuses to run a main module that lives under `node_modules`;
 *    the engine works around that by symlinking the runtime directory into
 *    its temp directory, and so does the cache step here.
 *
 * Usage: node host/runtime/fixup.js [--no-cache] [--quiet]   (every installed engine)
 * Exported: fixup({ engine }) for one engine (package name), ENGINE_PACKAGES.
 */
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const childProcess = require('child_process');

const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
const STD_DIR = path.join(__dirname, 'std');
const SHIM_DIR_NAME = '_offline_std';
// The engine runtimes the host can run, by version, and their packages.
const ENGINE_PACKAGES = {
    '1.62.0': '@rocket.chat/apps-engine',
    '1.59.0': '@rocket.chat/apps-engine-1.59',
};

// Written next to the cache once it is complete (one per engine package);
// holds a fingerprint of the runtime's import map so that a changed runtime
// is cached again.
const cacheStamp = (engine) => `.apps-engine-runtime-cached${engine === ENGINE_PACKAGES['1.62.0'] ? '' : `-${engine.split('/').pop()}`}`;

const STD_IMPORTS = {
    '@std/cli/parse-args': `./lib/${SHIM_DIR_NAME}/parse_args.ts`,
    '@std/cli': `./lib/${SHIM_DIR_NAME}/cli.ts`,
    '@std/io': `./lib/${SHIM_DIR_NAME}/io.ts`,
    '@std/streams': `./lib/${SHIM_DIR_NAME}/streams.ts`,
    // 1.59 imports this one by URL; an import map can point a URL elsewhere too.
    'https://deno.land/std@0.216.0/io/write_all.ts': `./lib/${SHIM_DIR_NAME}/io.ts`,
};

const APPS_ENGINE_EXCEPTION_STANDIN = `// Written by host/runtime/fixup.js: the published package lacks this source
// file, which deno-runtime/handlers/app/handleUploadEvents.ts imports. It
// re-exports the compiled class so that every part of the runtime sees the
// same class.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

// deno-lint-ignore no-explicit-any
const mod = require('../../../definition/exceptions/AppsEngineException.js') as { AppsEngineException: any };

export const AppsEngineException = mod.AppsEngineException;
`;

function findAppsEngineDir(projectRoot, engine = ENGINE_PACKAGES['1.62.0']) {
    const pkg = require.resolve(`${engine}/package.json`, { paths: [projectRoot] });
    return path.dirname(pkg);
}

function defaultDenoDir(projectRoot) {
    return process.env.DENO_DIR || path.join(projectRoot || PROJECT_ROOT, '.deno-cache');
}

function findDenoBin(projectRoot) {
    const bin = path.join(projectRoot, 'node_modules', '.bin', process.platform === 'win32' ? 'deno.cmd' : 'deno');
    return fs.existsSync(bin) ? bin : 'deno';
}

/** Strips // and /* *\/ comments and trailing commas from JSONC text. */
function parseJsonc(text) {
    let out = '';
    let inString = false;
    for (let i = 0; i < text.length; i++) {
        const c = text[i];
        const n = text[i + 1];
        if (inString) {
            out += c;
            if (c === '\\') {
                out += n;
                i++;
            } else if (c === '"') {
                inString = false;
            }
        } else if (c === '"') {
            inString = true;
            out += c;
        } else if (c === '/' && n === '/') {
            while (i < text.length && text[i] !== '\n') i++;
            out += '\n';
        } else if (c === '/' && n === '*') {
            i += 2;
            while (i < text.length && !(text[i] === '*' && text[i + 1] === '/')) i++;
            i++;
        } else {
            out += c;
        }
    }
    return JSON.parse(out.replace(/,(\s*[}\]])/g, '$1'));
}

function writeIfChanged(file, content, changed) {
    let current;
    try {
        current = fs.readFileSync(file, 'utf8');
    } catch (e) {
        current = undefined;
    }
    if (current === content) return;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
    changed.push(file);
}

function patchFiles(engineDir, changed) {
    const runtimeDir = path.join(engineDir, 'deno-runtime');
    const configPath = path.join(runtimeDir, 'deno.jsonc');
    if (!fs.existsSync(configPath)) {
        throw new Error(`${configPath} not found: is the engine installed (npm ci)?`);
    }

    // 1. std stand-ins and the import map.
    const shimDir = path.join(runtimeDir, 'lib', SHIM_DIR_NAME);
    for (const name of ['parse_args.ts', 'io.ts', 'streams.ts']) {
        writeIfChanged(path.join(shimDir, name), fs.readFileSync(path.join(STD_DIR, name), 'utf8'), changed);
    }
    writeIfChanged(path.join(shimDir, 'cli.ts'), "export * from './parse_args.ts';\n", changed);

    const config = parseJsonc(fs.readFileSync(configPath, 'utf8'));
    config.imports = config.imports || {};
    for (const [spec, target] of Object.entries(STD_IMPORTS)) config.imports[spec] = target;
    config.lock = false;
    writeIfChanged(configPath, JSON.stringify(config, null, '\t') + '\n', changed);

    // 2. The missing AppsEngineException.ts source (only 1.62's runtime imports it).
    const uploadHandler = path.join(runtimeDir, 'handlers', 'app', 'handleUploadEvents.ts');
    if (fs.existsSync(uploadHandler))
        writeIfChanged(path.join(engineDir, 'src', 'definition', 'exceptions', 'AppsEngineException.ts'), APPS_ENGINE_EXCEPTION_STANDIN, changed);

    return { runtimeDir, configPath, config };
}

function fingerprint(config, engineDir) {
    const version = JSON.parse(fs.readFileSync(path.join(engineDir, 'package.json'), 'utf8')).version;
    return JSON.stringify({ version, imports: config.imports });
}

/**
 * Caches the runtime's dependencies into denoDir, running `deno cache` on the
 * runtime entry point through a symlink outside node_modules (as the engine
 * itself runs it).
 */
function cacheRuntime({ projectRoot, engine, engineDir, runtimeDir, configPath, config, denoDir, force, log }) {
    const stampPath = path.join(denoDir, cacheStamp(engine));
    const stamp = fingerprint(config, engineDir);
    if (!force) {
        try {
            if (fs.readFileSync(stampPath, 'utf8') === stamp) return false;
        } catch (e) {
            /* not cached yet */
        }
    }

    fs.mkdirSync(denoDir, { recursive: true });
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'apps-engine-runtime-'));
    try {
        const linked = path.join(tmp, 'deno-runtime');
        fs.symlinkSync(runtimeDir, linked, 'dir');
        const env = { ...process.env, DENO_DIR: denoDir, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' };
        // Use the registry npm itself uses (a mirror, when one is configured).
        if (!env.NPM_CONFIG_REGISTRY && process.env.npm_config_registry) {
            env.NPM_CONFIG_REGISTRY = process.env.npm_config_registry;
        }
        const binDir = path.join(projectRoot, 'node_modules', '.bin');
        env.PATH = `${binDir}${path.delimiter}${env.PATH || ''}`;
        const deno = findDenoBin(projectRoot);
        log(`caching the ${engine} Deno runtime dependencies into ${denoDir}`);
        const res = childProcess.spawnSync(deno, ['cache', '--quiet', `--config=${configPath}`, path.join(linked, 'main.ts')], {
            env,
            encoding: 'utf8',
            timeout: 10 * 60 * 1000,
        });
        if (res.error) throw new Error(`could not run ${deno}: ${res.error.message}`);
        if (res.status !== 0) {
            throw new Error(`deno cache failed (exit ${res.status}):\n${(res.stderr || '') + (res.stdout || '')}`);
        }
        fs.writeFileSync(stampPath, stamp);
        return true;
    } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
    }
}

/**
 * @param {{ engine?: string, projectRoot?: string, denoDir?: string, cache?: boolean, force?: boolean, quiet?: boolean }} [options]
 *   engine: the engine's package name (default @rocket.chat/apps-engine, 1.62.0)
 * @returns {{ changed: string[], cached: boolean, denoDir: string, engineDir: string }}
 */
function fixup(options = {}) {
    const projectRoot = options.projectRoot || PROJECT_ROOT;
    const engine = options.engine || ENGINE_PACKAGES['1.62.0'];
    const denoDir = options.denoDir || defaultDenoDir(projectRoot);
    const log = options.quiet ? () => undefined : (line) => console.log(`[apps-engine fixup] ${line}`);
    const engineDir = findAppsEngineDir(projectRoot, engine);
    const changed = [];
    const { runtimeDir, configPath, config } = patchFiles(engineDir, changed);
    for (const file of changed) log(`patched ${path.relative(projectRoot, file)}`);
    let cached = false;
    if (options.cache !== false) {
        cached = cacheRuntime({ projectRoot, engine, engineDir, runtimeDir, configPath, config, denoDir, force: options.force, log });
        if (!cached) log(`${engine} runtime dependencies already cached in ${path.relative(projectRoot, denoDir) || denoDir}`);
    } else if (!changed.length) {
        log('runtime files already fixed up');
    }
    return { changed, cached, denoDir, engineDir };
}

module.exports = { fixup, defaultDenoDir, findAppsEngineDir, ENGINE_PACKAGES, PROJECT_ROOT };

if (require.main === module) {
    const args = process.argv.slice(2);
    for (const engine of Object.values(ENGINE_PACKAGES)) {
        try {
            fixup({ engine, cache: false, quiet: args.includes('--quiet') });
        } catch (e) {
            console.error(`[apps-engine fixup] ${engine}: ${e.message}`);
            process.exit(1);
        }
        if (!args.includes('--no-cache')) {
            try {
                fixup({ engine, force: args.includes('--force'), quiet: args.includes('--quiet') });
            } catch (e) {
                // Not fatal for the install: the host caches again (and reports) when it starts an app.
                console.warn(
                    `[apps-engine fixup] warning: could not cache ${engine}'s runtime dependencies; the host will retry when it starts.\n${e.message}`,
                );
            }
        }
    }
}
