/// <reference types="jest" />
/**
 * The packaged zip `npm test` builds first: what a workspace installs.
 */
import AdmZip = require('adm-zip');
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { appZip } from './support';

const root = path.resolve(__dirname, '..', '..');
const source = JSON.parse(fs.readFileSync(path.join(root, 'app.json'), 'utf8'));

describe('the packaged app', () => {
    const zip = new AdmZip(appZip());
    const manifest = JSON.parse(zip.readAsText('app.json'));

    it('keeps the engine range app.json declares (the CLI rewrites it to the exact version it builds with)', () => {
        expect(source.requiredApiVersion).toBe('^1.59.0');
        expect(manifest.requiredApiVersion).toBe(source.requiredApiVersion);
        expect(manifest).toMatchObject({ id: source.id, version: source.version, classFile: source.classFile, permissions: source.permissions });
    });

    it('holds the manifest, the icon, the texts and one bundled class file', () => {
        const names = zip
            .getEntries()
            .filter((e) => !e.isDirectory)
            .map((e) => e.entryName)
            .sort();
        expect(names).toEqual(['app.json', 'i18n/de.json', 'i18n/en.json', source.iconFile, source.classFile.replace(/\.ts$/, '.js')].sort());
    });

    it('is what npm start packages quickly, without the CLI: the same files, manifest and class file', () => {
        const out = fs.mkdtempSync(path.join(os.tmpdir(), 'quick-package-'));
        try {
            execFileSync(process.execPath, [path.join(root, 'scripts', 'package.js'), '--quick', '--out', out], { stdio: 'pipe' });
            const quick = new AdmZip(path.join(out, path.basename(appZip())));
            const files = (archive: AdmZip) =>
                Object.fromEntries(
                    archive
                        .getEntries()
                        .filter((e) => !e.isDirectory)
                        .map((e) => [e.entryName, e.getData().toString('base64')]),
                );
            expect(JSON.parse(quick.readAsText('app.json'))).toEqual(manifest);
            expect(manifest.implements).toContain('IPostUserCreated');
            expect(files(quick)).toEqual(files(zip));
        } finally {
            fs.rmSync(out, { recursive: true, force: true });
        }
    });
});
