#!/usr/bin/env node
/**
 * npm run package: builds the installable app zip in dist/.
 *
 * 1. `rc-apps package` on a staging copy that holds only the app (app.json,
 *    icon, i18n, src/): it walks and compiles every .ts file of its folder, so
 *    the host, tests and scripts must not be beside it. This is the official
 *    check and compile step.
 * 2. The Apps-Engine runtime lets an app require only Node built-ins and the
 *    engine itself, so the class file is re-bundled with esbuild with its npm
 *    dependencies (ajv, sift, re2js) inside, and the zip rewritten to hold
 *    app.json, the icon, i18n and that one file.
 * 3. The CLI rewrites a `requiredApiVersion` caret range below the engine
 *    version it builds with (1.62.0) to that exact version; the zip's
 *    app.json gets the range app.json declares back (`^1.59.0`: every
 *    engine from 1.59.0 on runs the app).
 *
 * `--quick` (what `npm start` uses) skips step 1, which type-checks and
 * compiles every file and takes most of the time: the zip gets the same
 * files, with the interfaces the class declares as app.json's `implements`.
 * `--out DIR` writes the zip there instead of dist/.
 */
const { Buffer } = require('buffer');
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const AdmZip = require('adm-zip');
const esbuild = require('esbuild');

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');
// Not under dist/: the CLI ignores every file below a folder named dist.
const stage = path.join(root, '.package-stage');
const appInfo = JSON.parse(fs.readFileSync(path.join(root, 'app.json'), 'utf8'));
const classFileJs = appInfo.classFile.replace(/\.ts$/, '.js');

// The runtime runs app code with `globalThis` undefined; re2js reads
// TextEncoder/TextDecoder through it.
const RUNTIME_GLOBALS = 'globalThis = globalThis || { TextEncoder: TextEncoder, TextDecoder: TextDecoder };';

function stageApp() {
    fs.rmSync(stage, { recursive: true, force: true });
    fs.mkdirSync(stage, { recursive: true });
    for (const entry of ['app.json', appInfo.iconFile, 'i18n', 'src']) {
        fs.cpSync(path.join(root, entry), path.join(stage, entry), { recursive: true });
    }
    // The CLI reads the engine version from package.json; it needs no more than this.
    const { name, version, devDependencies } = require(path.join(root, 'package.json'));
    const engine = { '@rocket.chat/apps-engine': devDependencies['@rocket.chat/apps-engine'] };
    fs.writeFileSync(path.join(stage, 'package.json'), JSON.stringify({ name, version, private: true, devDependencies: engine }));
    // It resolves the engine from the app's own folder.
    fs.symlinkSync(path.join(root, 'node_modules'), path.join(stage, 'node_modules'), 'dir');
}

function runRcAppsPackage() {
    const cli = path.join(root, 'node_modules', '.bin', 'rc-apps');
    execFileSync(cli, ['package', '--no-color'], { cwd: stage, stdio: ['ignore', 'inherit', 'inherit'] });
    const packaged = path.join(stage, 'dist');
    const zipName = fs.readdirSync(packaged).find((name) => name.endsWith('.zip'));
    if (!zipName) {
        throw new Error('rc-apps package produced no zip');
    }
    return { zipName, zip: new AdmZip(path.join(packaged, zipName)) };
}

async function bundleClassFile() {
    const result = await esbuild.build({
        entryPoints: [path.join(root, appInfo.classFile)],
        bundle: true,
        platform: 'neutral',
        mainFields: ['main', 'module'],
        format: 'cjs',
        target: 'es2020',
        external: ['@rocket.chat/apps-engine', '@rocket.chat/apps-engine/*'],
        banner: { js: RUNTIME_GLOBALS },
        legalComments: 'none',
        write: false,
        logLevel: 'warning',
    });
    return Buffer.from(result.outputFiles[0].contents);
}

/**
 * The interfaces the app class declares (`implements IPostUserCreated, ...`),
 * which the engine reads from app.json to know which events to deliver: what
 * `rc-apps package` writes there, read from the class's declaration.
 */
function declaredInterfaces() {
    const source = fs.readFileSync(path.join(root, appInfo.classFile), 'utf8');
    const declaration = /export\s+default\s+class\s+\w+\s+extends\s+App\s+implements\s+([\w\s,]+?)\s*\{/.exec(source);
    if (!declaration) {
        throw new Error(`${appInfo.classFile}: no "export default class ... extends App implements ..." declaration found; use npm run package`);
    }
    return declaration[1].split(',').map((name) => name.trim());
}

/** The zip's files: from rc-apps' package, or (quick) straight from the sources without its compile and checks. */
async function packagedFiles(quick) {
    if (quick) {
        const files = [{ name: appInfo.iconFile, data: fs.readFileSync(path.join(root, appInfo.iconFile)) }];
        for (const file of fs.readdirSync(path.join(root, 'i18n'))) {
            files.push({ name: `i18n/${file}`, data: fs.readFileSync(path.join(root, 'i18n', file)) });
        }
        return { zipName: `${appInfo.nameSlug}_${appInfo.version}.zip`, files, manifest: { ...appInfo, implements: declaredInterfaces() } };
    }
    stageApp();
    const { zipName, zip: packaged } = runRcAppsPackage();
    const files = packaged
        .getEntries()
        .filter((entry) => !entry.isDirectory && (entry.entryName === appInfo.iconFile || entry.entryName.startsWith('i18n/')))
        .map((entry) => ({ name: entry.entryName, data: entry.getData() }));
    const manifest = JSON.parse(packaged.getEntry('app.json').getData().toString('utf8'));
    manifest.requiredApiVersion = appInfo.requiredApiVersion;
    return { zipName, files, manifest };
}

async function main() {
    const quick = process.argv.includes('--quick');
    const outDir = process.argv.includes('--out') ? path.resolve(process.argv[process.argv.indexOf('--out') + 1]) : dist;
    const { zipName, files, manifest } = await packagedFiles(quick);
    const bundle = await bundleClassFile();

    const output = new AdmZip();
    for (const file of files) {
        output.addFile(file.name, file.data);
    }
    output.addFile('app.json', Buffer.from(JSON.stringify(manifest, null, 4)));
    output.addFile(classFileJs, bundle);

    fs.mkdirSync(outDir, { recursive: true });
    const target = path.join(outDir, zipName);
    output.writeZip(target);
    fs.rmSync(stage, { recursive: true, force: true });
    console.log(
        `Packaged ${path.relative(root, target)} (${Math.round(fs.statSync(target).size / 1024)} KiB, class file ${Math.round(bundle.length / 1024)} KiB)`,
    );
}

main().catch((error) => {
    console.error(error.message || error);
    process.exit(1);
});
