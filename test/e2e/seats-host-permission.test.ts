/// <reference types="jest" />
/**
 * The engine checks the app's `user.write` permission before the host's
 * user bridge deactivates anyone, as on a Rocket.Chat server. In a file of
 * its own: the engine reads permissions from its one AppManager, which every
 * host of a test file shares.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import AdmZip = require('adm-zip');

import { startHost } from '../../host';
import { smallWorkspace } from './fixtures';
import { appZip, testEngine } from './support';

it('without user.write, deactivate changes nothing and the app gets nothing back', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'seats-host-'));
    const zip = new AdmZip(appZip());
    const manifest = JSON.parse(zip.readAsText('app.json')) as { permissions: Array<{ name: string }> };
    expect(manifest.permissions.map((p) => p.name)).toContain('user.write');
    manifest.permissions = manifest.permissions.filter((p) => p.name !== 'user.write');
    zip.updateFile('app.json', Buffer.from(JSON.stringify(manifest)));
    const zipPath = path.join(dir, 'no-user-write.zip');
    zip.writeZip(zipPath);
    const host = await startHost({ zipPath, workspace: smallWorkspace(), port: 0, engine: testEngine(), log: () => undefined });
    const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
        await host.ready;
        const { modify, read } = host.instance(1).appAccessors();
        await expect(modify.getUpdater().getUserUpdater().deactivate('alice', false)).resolves.toBeUndefined();
        expect((await read.getUserReader().getById('alice')).isEnabled).toBe(true);
        expect(errors.mock.calls.map((c) => String(c[0])).join('\n')).toMatch(/lacks the following permissions:[\s\S]*user\.write/);
    } finally {
        errors.mockRestore();
        await host.stop();
        fs.rmSync(dir, { recursive: true, force: true });
    }
}, 120_000);
