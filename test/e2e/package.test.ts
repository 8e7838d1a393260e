/// <reference types="jest" />
/**
 * The packaged zip `npm test` builds first: what a workspace installs.
 */
import AdmZip = require('adm-zip');
import * as fs from 'fs';
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
});
