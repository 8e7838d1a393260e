/// <reference types="jest" />
/**
 * The host's pure parts seat management relies on: Rocket.Chat's
 * setUserActiveStatus over the workspace (refusals in the server's order,
 * ownership hand-over, direct rooms read-only and back), room owners and
 * personal access tokens in the workspace file, and the message routes'
 * paging and access.
 */
import { generateDemoWorkspace, parseWorkspace, Workspace } from '../../host';
import { checkDeactivation, MeteorError, setUserActiveStatus } from '../../host/activeStatus';
import type { StoredUser } from '../../host/convert';
import { canRead, findRoom, pagination, roomMessages } from '../../host/rooms';
import { WorkspaceState } from '../../host/state';

const u = (id: string, fields: Partial<StoredUser> = {}) => ({ _id: id, username: id, roles: ['user'], active: true, ...fields });

function workspace(): Workspace {
    return {
        users: [
            u('admin', { roles: ['admin'] }),
            u('admin2', { roles: ['admin'] }),
            u('ann'),
            u('ben'),
            u('cid', { active: false }),
            u('dee'),
            u('fed', { federated: true }),
        ],
        rooms: [
            { _id: 'r1', name: 'r1', t: 'p', members: ['ann', 'cid', 'ben'], owners: ['ann'] },
            { _id: 'r2', name: 'r2', t: 'c', members: ['ben', 'dee'], owners: ['ben', 'dee'] },
            { _id: 'alone', name: 'alone', t: 'c', members: ['dee'] },
            { _id: 'd1', t: 'd', members: ['ann', 'ben'] },
            { _id: 'd2', t: 'd', members: ['ben', 'cid'] },
        ],
    };
}

const errorOf = (fn: () => unknown): MeteorError | undefined => {
    try {
        fn();
    } catch (e) {
        return e as MeteorError;
    }
    return undefined;
};

describe('setUserActiveStatus', () => {
    it('answers false for an unknown user and changes nothing', () => {
        const state = new WorkspaceState(workspace());
        expect(setUserActiveStatus(state, 'nobody', false)).toBe(false);
    });

    it('refuses a federated user, either way', () => {
        const state = new WorkspaceState(workspace());
        for (const active of [false, true]) {
            const e = errorOf(() => setUserActiveStatus(state, 'fed', active));
            expect(e).toBeInstanceOf(MeteorError);
            expect(e).toMatchObject({ error: 'error-user-is-federated', message: 'Cannot change federated users status [error-user-is-federated]' });
        }
        expect(state.getUser('fed')?.active).toBe(true);
    });

    it('refuses the last active admin, and lets one of two go', () => {
        const state = new WorkspaceState(workspace());
        expect(setUserActiveStatus(state, 'admin2', false)).toBe(true);
        expect(errorOf(() => setUserActiveStatus(state, 'admin', false))?.message).toBe(
            'Leaving the app without an active admin is not allowed [error-action-not-allowed]',
        );
        expect(state.getUser('admin')?.active).toBe(true);
    });

    it('refuses the last owner and the only member of a room without confirmRelinquish, naming the rooms', () => {
        const state = new WorkspaceState(workspace());
        const ann = errorOf(() => setUserActiveStatus(state, 'ann', false));
        expect(ann).toMatchObject({ message: '[user-last-owner]', error: 'user-last-owner', details: { shouldBeRemoved: [], shouldChangeOwner: ['r1'] } });
        const dee = errorOf(() => checkDeactivation(state, state.getUser('dee') as StoredUser, false));
        expect(dee).toMatchObject({ details: { shouldBeRemoved: ['alone'], shouldChangeOwner: [] } });
        expect(state.getUser('ann')?.active).toBe(true);
        expect(state.rooms.get('d1')?.ro).toBeUndefined();
    });

    it('a co-owner goes without a hand-over', () => {
        const state = new WorkspaceState(workspace());
        expect(setUserActiveStatus(state, 'ben', false)).toBe(true);
        expect(state.rooms.get('r2')?.owners).toEqual(['ben', 'dee']);
    });

    it('with confirmRelinquish: the first active member becomes owner (skipping inactive ones); an empty room is removed', () => {
        const state = new WorkspaceState(workspace());
        expect(setUserActiveStatus(state, 'ann', false, true)).toBe(true);
        expect(state.rooms.get('r1')?.owners).toEqual(['ann', 'ben']);
        expect(setUserActiveStatus(state, 'dee', false, true)).toBe(true);
        expect(state.rooms.has('alone')).toBe(false);
        expect(state.roomIdsOf('dee')).not.toContain('alone');
    });

    it('deactivation makes the direct rooms read-only; reactivation clears it only where the other member is active', () => {
        const state = new WorkspaceState(workspace());
        setUserActiveStatus(state, 'ben', false);
        expect([state.rooms.get('d1')?.ro, state.rooms.get('d2')?.ro]).toEqual([true, true]);
        expect(state.rooms.get('r2')?.ro).toBeUndefined();
        setUserActiveStatus(state, 'ben', true);
        expect(state.getUser('ben')?.active).toBe(true);
        expect([state.rooms.get('d1')?.ro, state.rooms.get('d2')?.ro]).toEqual([false, true]); // cid is deactivated
    });
});

describe('the workspace file', () => {
    it('takes owners (members only), ro and personal access tokens', () => {
        const ws = parseWorkspace({
            users: [
                { _id: 'a', username: 'a', personalAccessTokens: [{ name: 'ci', token: 't0k' }] },
                { _id: 'b', username: 'b' },
            ],
            rooms: [{ _id: 'r', t: 'p', members: ['a', 'b'], owners: ['b'], ro: true }],
        });
        expect(ws.rooms[0]).toMatchObject({ owners: ['b'], ro: true });
        const state = new WorkspaceState(ws);
        expect(state.authenticate('a', 't0k')?._id).toBe('a');
        expect(state.authenticate('b', 't0k')).toBeUndefined();
        expect(() => parseWorkspace({ users: [{ _id: 'a', username: 'a' }], rooms: [{ _id: 'r', t: 'c', members: [], owners: ['a'] }] })).toThrow(
            'rooms[0].owners[0] must be the id of a member of the room, got the string "a"',
        );
        expect(() => parseWorkspace({ users: [], rooms: [{ _id: 'r', t: 'c', members: [], ro: 'yes' }] })).toThrow('rooms[0].ro must be a boolean');
        expect(() => parseWorkspace({ users: [{ _id: 'a', username: 'a', personalAccessTokens: [{ name: 'x' }] }] })).toThrow(
            'users[0].personalAccessTokens[0] must be {"name": string, "token": non-empty string}',
        );
    });

    it('the demo workspace has owned rooms: the admin owns the channels, each private group one ordinary member', () => {
        const demo = generateDemoWorkspace({ users: 1000 });
        const byId = new Map(demo.users.map((user) => [user._id, user]));
        expect(demo.rooms.find((r) => r._id === 'GENERAL')?.owners).toEqual(['admin']);
        const groups = demo.rooms.filter((r) => r._id.startsWith('group-'));
        expect(groups.length).toBeGreaterThan(0);
        for (const group of groups) {
            expect(group.owners).toHaveLength(1);
            expect(group.members).toContain(group.owners![0]);
            expect(byId.get(group.owners![0])?.type).toBe('user');
        }
        expect(demo.rooms.filter((r) => r.t === 'd').every((r) => r.owners === undefined)).toBe(true);
    });
});

describe('message routes', () => {
    const settings = { defaultCount: 50, upperLimit: 100, allowInfinite: true };

    it('pages as getPaginationItems: default, upper limit, 0 for all (when allowed), offset', () => {
        expect(pagination({}, settings)).toEqual({ offset: 0, count: 50 });
        expect(pagination({ count: '500', offset: '20' }, settings)).toEqual({ offset: 20, count: 100 });
        expect(pagination({ count: '0' }, settings)).toEqual({ offset: 0, count: 0 });
        expect(pagination({ count: '0' }, { ...settings, allowInfinite: false })).toEqual({ offset: 0, count: 50 });
        expect(pagination({ count: 'many', offset: '-3' }, settings)).toEqual({ offset: 0, count: 50 });
    });

    it('newest first, ties in reverse order of sending', () => {
        const state = new WorkspaceState(workspace());
        const at = new Date('2026-01-01T00:00:00Z');
        for (const text of ['a', 'b', 'c']) state.saveMessage({ id: text, room: { id: 'r2' }, text, createdAt: at } as never);
        const room = state.rooms.get('r2')!;
        const page = roomMessages(room, { count: '2' }, state, settings);
        expect(page).toMatchObject({ count: 2, offset: 0, total: 3 });
        expect(page.messages.map((m) => m.msg)).toEqual(['c', 'b']);
        expect(roomMessages(room, { sort: '{"ts":1}' }, state, settings).messages.map((m) => m.msg)).toEqual(['a', 'b', 'c']);
    });

    it('channels for everyone; groups and direct rooms for members and admins', () => {
        const state = new WorkspaceState(workspace());
        const user = (id: string) => state.getUser(id) as StoredUser;
        expect(canRead(state.rooms.get('r2')!, user('ann'))).toBe(true);
        expect(canRead(state.rooms.get('r1')!, user('dee'))).toBe(false);
        expect(canRead(state.rooms.get('d1')!, user('admin'))).toBe(true);
        expect(findRoom('groups.messages', { roomName: 'r1' }, user('ann'), state)._id).toBe('r1');
        expect(() => findRoom('groups.messages', { roomId: 'r1' }, user('dee'), state)).toThrow(/does not match any group/);
        expect(() => findRoom('channels.messages', { roomId: 'r1' }, user('ann'), state)).toThrow(/does not match any channel/);
        expect(findRoom('im.messages', { username: 'ben' }, user('ann'), state)._id).toBe('d1');
    });
});
