/**
 * The workspace a local host serves: users in Rocket.Chat's shape and rooms
 * with their members. Parsing (with precise error messages) and a
 * deterministic demo generator.
 */

export interface WorkspaceUser {
    _id: string;
    username: string;
    name?: string;
    emails?: { address: string; verified?: boolean }[];
    type?: string;
    roles?: string[];
    active?: boolean;
    status?: string;
    statusConnection?: string;
    statusText?: string;
    lastLogin?: string;
    createdAt?: string;
    _updatedAt?: string;
    utcOffset?: number;
    customFields?: Record<string, unknown>;
    federated?: boolean;
    freeSwitchExtension?: string;
    /** Token that `X-Auth-Token` must carry (with `X-User-Id: <_id>`); without one the user cannot log in. */
    authToken?: string;
    /** Personal access tokens: each `token` works as `X-Auth-Token` too (Rocket.Chat keeps them hashed among the login tokens). */
    personalAccessTokens?: { name: string; token: string; createdAt?: string }[];
}

export interface WorkspaceRoom {
    _id: string;
    name?: string;
    t: 'c' | 'p' | 'd';
    members: string[];
    /** Members holding the room's `owner` role (Rocket.Chat keeps it on their subscriptions); none when missing. */
    owners?: string[];
    /** Read-only (`ro`): Rocket.Chat sets it on a deactivated user's direct rooms. */
    ro?: boolean;
    /** Created (`ts`), last changed (`_updatedAt`: any change of the room document) and last message (`lm`), ISO dates; set at load when missing. */
    ts?: string;
    _updatedAt?: string;
    lm?: string;
}

export interface Workspace {
    users: WorkspaceUser[];
    rooms: WorkspaceRoom[];
}

const DATE_FIELDS = ['lastLogin', 'createdAt', '_updatedAt'] as const;
const STRING_FIELDS = ['name', 'type', 'status', 'statusConnection', 'statusText', 'freeSwitchExtension', 'bio'] as const;
const BOOLEAN_FIELDS = ['active', 'federated'] as const;

function describe(value: unknown): string {
    if (value === null) return 'null';
    if (Array.isArray(value)) return 'an array';
    if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
    return `${typeof value === 'object' ? 'an' : 'a'} ${typeof value}${typeof value === 'number' || typeof value === 'boolean' ? ` (${String(value)})` : ''}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Accepts an ISO date string, or MongoDB extended JSON `{"$date": ...}`, and
 * returns the ISO string. Throws with the field's path otherwise.
 */
function parseDate(value: unknown, where: string): string {
    let raw: unknown = value;
    if (isPlainObject(value) && '$date' in value) {
        raw = value.$date;
        if (isPlainObject(raw) && typeof raw.$numberLong === 'string') raw = Number(raw.$numberLong);
    }
    if (typeof raw !== 'string' && typeof raw !== 'number') {
        throw new Error(`${where} must be an ISO date string, got ${describe(value)}`);
    }
    const date = new Date(raw);
    if (Number.isNaN(date.getTime())) {
        throw new Error(`${where} must be an ISO date string, got ${describe(value)}`);
    }
    return date.toISOString();
}

function parseUser(raw: unknown, i: number): WorkspaceUser {
    const at = `users[${i}]`;
    if (!isPlainObject(raw)) throw new Error(`${at} must be an object, got ${describe(raw)}`);
    if (typeof raw._id !== 'string' || raw._id.length === 0) {
        throw new Error(`${at}._id must be a non-empty string, got ${describe(raw._id)}`);
    }
    if (typeof raw.username !== 'string' || raw.username.length === 0) {
        throw new Error(`${at}.username must be a non-empty string, got ${describe(raw.username)}`);
    }
    const user: Record<string, unknown> = { ...raw };
    for (const field of STRING_FIELDS) {
        if (raw[field] !== undefined && typeof raw[field] !== 'string') {
            throw new Error(`${at}.${field} must be a string, got ${describe(raw[field])}`);
        }
    }
    for (const field of BOOLEAN_FIELDS) {
        if (raw[field] !== undefined && typeof raw[field] !== 'boolean') {
            throw new Error(`${at}.${field} must be a boolean, got ${describe(raw[field])}`);
        }
    }
    for (const field of DATE_FIELDS) {
        if (raw[field] !== undefined && raw[field] !== null) user[field] = parseDate(raw[field], `${at}.${field}`);
        else delete user[field];
    }
    if (raw.emails !== undefined) {
        if (!Array.isArray(raw.emails)) throw new Error(`${at}.emails must be an array, got ${describe(raw.emails)}`);
        raw.emails.forEach((email, j) => {
            if (!isPlainObject(email)) throw new Error(`${at}.emails[${j}] must be an object, got ${describe(email)}`);
            if (typeof email.address !== 'string') {
                throw new Error(`${at}.emails[${j}].address must be a string, got ${describe(email.address)}`);
            }
            if (email.verified !== undefined && typeof email.verified !== 'boolean') {
                throw new Error(`${at}.emails[${j}].verified must be a boolean, got ${describe(email.verified)}`);
            }
        });
        user.emails = raw.emails.map((e) => ({ ...(e as object) }));
    }
    if (raw.roles !== undefined) {
        if (!Array.isArray(raw.roles)) throw new Error(`${at}.roles must be an array of strings, got ${describe(raw.roles)}`);
        raw.roles.forEach((role, j) => {
            if (typeof role !== 'string') throw new Error(`${at}.roles[${j}] must be a string, got ${describe(role)}`);
        });
        user.roles = [...(raw.roles as string[])];
    }
    if (raw.utcOffset !== undefined && (typeof raw.utcOffset !== 'number' || !Number.isFinite(raw.utcOffset))) {
        throw new Error(`${at}.utcOffset must be a number, got ${describe(raw.utcOffset)}`);
    }
    if (raw.customFields !== undefined) {
        if (!isPlainObject(raw.customFields)) {
            throw new Error(`${at}.customFields must be an object, got ${describe(raw.customFields)}`);
        }
        user.customFields = JSON.parse(JSON.stringify(raw.customFields));
    }
    if (raw.authToken !== undefined && (typeof raw.authToken !== 'string' || raw.authToken.length === 0)) {
        throw new Error(`${at}.authToken must be a non-empty string, got ${describe(raw.authToken)}`);
    }
    if (raw.personalAccessTokens !== undefined) {
        if (!Array.isArray(raw.personalAccessTokens)) throw new Error(`${at}.personalAccessTokens must be an array, got ${describe(raw.personalAccessTokens)}`);
        raw.personalAccessTokens.forEach((pat, j) => {
            if (!isPlainObject(pat) || typeof pat.name !== 'string' || typeof pat.token !== 'string' || !pat.token) {
                throw new Error(`${at}.personalAccessTokens[${j}] must be {"name": string, "token": non-empty string}, got ${describe(pat)}`);
            }
        });
        user.personalAccessTokens = raw.personalAccessTokens.map((pat) => ({ ...(pat as object) }));
    }
    return user as unknown as WorkspaceUser;
}

function parseRoom(raw: unknown, i: number, userIds: Set<string>): WorkspaceRoom {
    const at = `rooms[${i}]`;
    if (!isPlainObject(raw)) throw new Error(`${at} must be an object, got ${describe(raw)}`);
    if (typeof raw._id !== 'string' || raw._id.length === 0) {
        throw new Error(`${at}._id must be a non-empty string, got ${describe(raw._id)}`);
    }
    if (raw.name !== undefined && typeof raw.name !== 'string') {
        throw new Error(`${at}.name must be a string, got ${describe(raw.name)}`);
    }
    if (raw.t !== 'c' && raw.t !== 'p' && raw.t !== 'd') {
        throw new Error(`${at}.t must be "c" (channel), "p" (private group) or "d" (direct message), got ${describe(raw.t)}`);
    }
    if (!Array.isArray(raw.members)) throw new Error(`${at}.members must be an array of user ids, got ${describe(raw.members)}`);
    const seen = new Set<string>();
    raw.members.forEach((member, j) => {
        if (typeof member !== 'string') throw new Error(`${at}.members[${j}] must be a user id string, got ${describe(member)}`);
        if (!userIds.has(member)) throw new Error(`${at}.members[${j}] "${member}" is not the _id of any user`);
        if (seen.has(member)) throw new Error(`${at}.members[${j}] "${member}" is listed twice`);
        seen.add(member);
    });
    if (raw.owners !== undefined) {
        if (!Array.isArray(raw.owners)) throw new Error(`${at}.owners must be an array of member ids, got ${describe(raw.owners)}`);
        const owners = new Set<string>();
        raw.owners.forEach((owner, j) => {
            if (typeof owner !== 'string' || !seen.has(owner))
                throw new Error(`${at}.owners[${j}] must be the id of a member of the room, got ${describe(owner)}`);
            if (owners.has(owner)) throw new Error(`${at}.owners[${j}] "${owner}" is listed twice`);
            owners.add(owner);
        });
    }
    if (raw.ro !== undefined && typeof raw.ro !== 'boolean') throw new Error(`${at}.ro must be a boolean, got ${describe(raw.ro)}`);
    const dates: Record<string, string> = {};
    for (const field of ['ts', '_updatedAt', 'lm'] as const) if (raw[field] !== undefined) dates[field] = parseDate(raw[field], `${at}.${field}`);
    return {
        ...(raw as object),
        ...dates,
        _id: raw._id,
        t: raw.t,
        members: [...(raw.members as string[])],
        ...(raw.owners !== undefined && { owners: [...(raw.owners as string[])] }),
    };
}

/**
 * Validates a workspace (as read from a JSON file) and returns a normalized
 * copy: dates become ISO strings, arrays and objects are copied. Throws an
 * Error naming the first problem found, e.g. `users[3].username must be a
 * non-empty string, got a number (3)`.
 */
export function parseWorkspace(json: unknown): Workspace {
    if (!isPlainObject(json)) throw new Error(`the workspace must be a JSON object with "users" and "rooms", got ${describe(json)}`);
    if (!Array.isArray(json.users)) throw new Error(`"users" must be an array, got ${describe(json.users)}`);
    if (json.rooms !== undefined && !Array.isArray(json.rooms)) throw new Error(`"rooms" must be an array, got ${describe(json.rooms)}`);

    const users = json.users.map((u, i) => parseUser(u, i));
    const ids = new Map<string, number>();
    const usernames = new Map<string, number>();
    users.forEach((user, i) => {
        const prevId = ids.get(user._id);
        if (prevId !== undefined) throw new Error(`users[${i}]._id "${user._id}" duplicates users[${prevId}]._id`);
        ids.set(user._id, i);
        const key = user.username.toLowerCase();
        const prevName = usernames.get(key);
        if (prevName !== undefined) {
            throw new Error(
                `users[${i}].username "${user.username}" duplicates users[${prevName}].username "${users[prevName].username}" (usernames are unique, ignoring case)`,
            );
        }
        usernames.set(key, i);
    });

    const userIds = new Set(ids.keys());
    const rooms = ((json.rooms as unknown[] | undefined) ?? []).map((r, i) => parseRoom(r, i, userIds));
    const roomIds = new Map<string, number>();
    rooms.forEach((room, i) => {
        const prev = roomIds.get(room._id);
        if (prev !== undefined) throw new Error(`rooms[${i}]._id "${room._id}" duplicates rooms[${prev}]._id`);
        roomIds.set(room._id, i);
    });
    return { users, rooms };
}

// ---------------------------------------------------------------------------
// Demo workspace

/** mulberry32: small, fast, deterministic PRNG (the demo workspace, and tests and benchmarks that must reproduce). */
export function prng(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

const FIRST = [
    'Ada',
    'Alan',
    'Amara',
    'Ana',
    'Andrei',
    'Aiko',
    'Ben',
    'Bruna',
    'Carlos',
    'Chen',
    'Chloe',
    'Dana',
    'Daniel',
    'Dmitri',
    'Elena',
    'Emeka',
    'Eva',
    'Fatima',
    'Felix',
    'Grace',
    'Hana',
    'Hugo',
    'Ines',
    'Ivan',
    'Jamal',
    'Jana',
    'João',
    'Julia',
    'Kai',
    'Kenji',
    'Lars',
    'Leila',
    'Lucas',
    'Maya',
    'Mateo',
    'Mei',
    'Nadia',
    'Noah',
    'Olga',
    'Omar',
    'Priya',
    'Rafael',
    'Rosa',
    'Sara',
    'Sven',
    'Tariq',
    'Ugo',
    'Vera',
    'Wei',
    'Yara',
    'Yusuf',
    'Zoe',
    'Émile',
    'Søren',
    'Zoë',
];
const LAST = [
    'Almeida',
    'Anderson',
    'Bauer',
    'Bianchi',
    'Costa',
    'Dubois',
    'Eriksen',
    'Fernández',
    'García',
    'Haddad',
    'Ivanova',
    'Jensen',
    'Kim',
    'Kowalski',
    'Lopez',
    'Müller',
    'Nakamura',
    'Nguyen',
    'Novak',
    'Okafor',
    'Olsen',
    'Patel',
    'Petrov',
    'Quinn',
    'Rossi',
    'Santos',
    'Schmidt',
    'Silva',
    'Smith',
    'Tanaka',
    'Usman',
    'Van Dijk',
    'Wang',
    'Weber',
    'Yilmaz',
    'Zhang',
    "O'Brien",
    'de la Cruz',
];
const TEAMS = ['Engineering', 'Sales', 'Support', 'Marketing', 'Finance', 'Legal', 'Design', 'Operations', 'Research', 'People'];
const STATUS_TEXTS = ['In a meeting', 'On vacation', 'Working remotely', 'Focus time', 'Out sick', 'At lunch'];
const OFFSETS = [-8, -5, -3, 0, 1, 2, 3, 5.5, 8, 9, 10];
const DAY = 24 * 3600 * 1000;
const HOUR = 3600 * 1000;
/** How long ago the oldest demo account was created. */
const HISTORY_DAYS = 6 * 365;

function slug(s: string): string {
    return s
        .normalize('NFD')
        .replace(/[\u0300-\u036f]/g, '')
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '');
}

/**
 * When a demo user last logged in, as time before today: a realistic spread
 * of recent, idle and long-gone users (`inactive:90d` finds about a fifth of
 * them). Users online now logged in within the last day or two.
 */
function loginAgo(rand: () => number, status: string | undefined): number {
    if (status === 'online' || status === 'busy') return rand() * 30 * HOUR;
    if (status === 'away') return rand() * 3 * DAY;
    const r = rand();
    if (r < 0.45) return rand() * 7 * DAY; // this week
    if (r < 0.75) return 7 * DAY + rand() * 83 * DAY; // within three months
    return 90 * DAY + rand() ** 2 * (HISTORY_DAYS - 120) * DAY; // idle for longer
}

/** The first named demo users: those the documentation's examples name. */
const NAMED_USERS: Array<{ username: string; name: string; customFields?: Record<string, string> }> = [
    { username: 'jerome.dupre', name: 'Jérôme Dupré', customFields: { clearance: 'Low', team: 'Sales' } },
    { username: 'soren.kierkegaard', name: 'Søren Kierkegaard', customFields: { clearance: 'High', team: 'Research' } },
    { username: 'zoe.martin', name: 'Zoë Martin' },
    { username: 'ana_20', name: 'ana lópez' },
];

/**
 * Generates a deterministic workspace: same options and the same day → same
 * workspace. Dates are relative to the start of the day (UTC) of `now`
 * (default: today), so that "last login" and `inactive:90d` mean the same
 * whenever it runs; pass `now` for a fixed workspace. The default has about
 * 1,000 users; 100,000 takes a few seconds. Fixed accounts (always present,
 * with these tokens): `admin`/`admin-token` (admin), `alice`/`alice-token`
 * (ordinary user), `manager`/`manager-token` (livechat manager),
 * `agent`/`agent-token` (livechat agent), plus `rocket.cat` (bot, never
 * logged in, no connection status).
 */
export function generateDemoWorkspace(opts: { users?: number; seed?: number; now?: number } = {}): Workspace {
    const total = Math.max(10, Math.floor(opts.users ?? 1000));
    const rand = prng(opts.seed ?? 20240424);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)];
    const chance = (p: number) => rand() < p;
    const today = Math.floor((opts.now ?? Date.now()) / DAY) * DAY;
    const NOW = today;
    const EPOCH = today - HISTORY_DAYS * DAY;
    /** An ISO date this long before the start of today. */
    const ago = (ms: number) => new Date(Math.floor(today - ms)).toISOString();
    const iso = (ms: number) => new Date(Math.floor(ms)).toISOString();

    const users: WorkspaceUser[] = [
        {
            _id: 'admin',
            username: 'admin',
            name: 'Administrator',
            emails: [{ address: 'admin@example.com', verified: true }],
            type: 'user',
            roles: ['admin', 'user'],
            active: true,
            status: 'online',
            statusConnection: 'online',
            statusText: '',
            lastLogin: ago(15 * HOUR),
            createdAt: ago(HISTORY_DAYS * DAY),
            _updatedAt: ago(15 * HOUR),
            utcOffset: 0,
            authToken: 'admin-token',
        },
        {
            _id: 'alice',
            username: 'alice',
            name: 'Alice Anderson',
            emails: [{ address: 'alice@example.com', verified: true }],
            type: 'user',
            roles: ['user'],
            active: true,
            status: 'online',
            statusConnection: 'online',
            statusText: 'Working remotely',
            lastLogin: ago(16 * HOUR),
            createdAt: ago(4 * 365 * DAY),
            _updatedAt: ago(16 * HOUR),
            utcOffset: 1,
            customFields: { clearance: 'High', team: 'Engineering' },
            authToken: 'alice-token',
        },
        {
            _id: 'manager',
            username: 'manager',
            name: 'Morgan Manager',
            emails: [{ address: 'manager@example.com', verified: true }],
            type: 'user',
            roles: ['user', 'livechat-manager'],
            active: true,
            status: 'away',
            statusConnection: 'away',
            lastLogin: ago(DAY + 8 * HOUR),
            createdAt: ago(4 * 365 * DAY - 80 * DAY),
            _updatedAt: ago(DAY + 8 * HOUR),
            utcOffset: -3,
            customFields: { clearance: 'High', team: 'Support' },
            authToken: 'manager-token',
        },
        {
            _id: 'agent',
            username: 'agent',
            name: 'Avery Agent',
            emails: [{ address: 'agent@example.com', verified: false }],
            type: 'user',
            roles: ['user', 'livechat-agent'],
            active: true,
            status: 'online',
            statusConnection: 'online',
            lastLogin: ago(17 * HOUR),
            createdAt: ago(3 * 365 * DAY),
            _updatedAt: ago(17 * HOUR),
            utcOffset: -5,
            customFields: { clearance: 'Low', team: 'Support' },
            authToken: 'agent-token',
        },
        {
            _id: 'rocket.cat',
            username: 'rocket.cat',
            name: 'Rocket.Cat',
            type: 'bot',
            roles: ['bot'],
            active: true,
            status: 'online',
            createdAt: ago(HISTORY_DAYS * DAY),
            _updatedAt: ago(HISTORY_DAYS * DAY),
        },
    ];

    const FIXED_ACCOUNTS = users.length;
    const usedNames = new Set(users.map((u) => u.username.toLowerCase()));
    const unique = (base: string): string => {
        let name = base || 'user';
        for (let n = 2; usedNames.has(name.toLowerCase()); n++) name = `${base}${n}`;
        usedNames.add(name.toLowerCase());
        return name;
    };

    // Users kept out of every room (the "handful").
    const outsiders: string[] = [];
    const outsiderCount = Math.min(5, Math.max(2, Math.floor(total / 200)));

    for (let i = users.length; i < total; i++) {
        const r = rand();
        let kind: 'admin' | 'bot' | 'app' | 'agent' | 'manager' | 'both' | 'guest' | 'user';
        if (r < 0.01) kind = 'admin';
        else if (r < 0.04) kind = 'bot';
        else if (r < 0.05) kind = 'app';
        else if (r < 0.09) kind = 'agent';
        else if (r < 0.105) kind = 'manager';
        else if (r < 0.11) kind = 'both';
        else if (r < 0.13) kind = 'guest';
        else kind = 'user';
        const named = NAMED_USERS[i - FIXED_ACCOUNTS];
        if (named) kind = 'user';

        const first = pick(FIRST);
        const last = pick(LAST);
        const id = `u${String(i).padStart(6, '0')}${Math.floor(rand() * 36 ** 4)
            .toString(36)
            .padStart(4, '0')}`;
        let createdMs = EPOCH + rand() * (NOW - EPOCH - 30 * DAY);
        const user: WorkspaceUser = { _id: id, username: '' };

        if (kind === 'bot' || kind === 'app') {
            const base = `${slug(pick(['deploy', 'alert', 'report', 'jira', 'github', 'ci', 'poll', 'remind', 'welcome', 'survey']))}${kind === 'bot' ? '.bot' : '.app'}`;
            user.username = unique(base);
            user.name = `${base.split('.')[0].replace(/^./, (c) => c.toUpperCase())} ${kind === 'bot' ? 'Bot' : 'App'}`;
            user.type = kind;
            user.roles = [kind];
            user.active = true;
            user.status = 'online';
            user.statusConnection = kind === 'bot' && chance(0.5) ? undefined : 'online';
            if (user.statusConnection === undefined) delete user.statusConnection;
        } else {
            const style = rand();
            const base =
                style < 0.5
                    ? `${slug(first)}.${slug(last)}`
                    : style < 0.8
                      ? `${slug(first)}${slug(last).slice(0, 1)}`
                      : `${slug(first)}_${Math.floor(rand() * 1000)}`;
            user.username = unique(named?.username ?? (kind === 'guest' ? `guest-${base}` : base));
            if (!chance(0.005)) user.name = `${first} ${last}`; // a few users have no name
            if (chance(0.02)) user.name = `${first.toLowerCase()} ${last}`; // lower-case initial, for binary sort order
            if (named) user.name = named.name;
            user.type = 'user';
            user.roles =
                kind === 'admin'
                    ? ['admin', 'user']
                    : kind === 'agent'
                      ? ['user', 'livechat-agent']
                      : kind === 'manager'
                        ? ['user', 'livechat-manager']
                        : kind === 'both'
                          ? ['user', 'livechat-agent', 'livechat-manager']
                          : kind === 'guest'
                            ? ['guest']
                            : chance(0.05)
                              ? ['user', pick(['moderator', 'owner', 'livechat-monitor', 'anonymous'])]
                              : ['user'];
            if (!chance(0.02)) {
                user.emails = [{ address: `${user.username}@${pick(['example.com', 'example.org', 'corp.example.net'])}`, verified: chance(0.8) }];
                if (chance(0.03)) user.emails.push({ address: `${user.username}.alt@example.net`, verified: false });
            }
            user.active = !!named || !chance(0.08);
            const st = rand();
            user.status = !user.active ? 'offline' : st < 0.3 ? 'online' : st < 0.42 ? 'away' : st < 0.48 ? 'busy' : 'offline';
            user.statusConnection = user.status;
            if (chance(0.15)) user.statusText = pick(STATUS_TEXTS);
            else if (chance(0.5)) user.statusText = '';
        }

        const neverLoggedIn = user.type !== 'user' || (!named && chance(0.1));
        let updatedMs = createdMs + rand() * 10 * DAY;
        if (neverLoggedIn && user.type === 'user') {
            // Invited, never came: offline, and created not long ago more often than not.
            user.status = 'offline';
            user.statusConnection = 'offline';
        } else if (!neverLoggedIn) {
            const loginMs = NOW - loginAgo(rand, (user.active as boolean) ? user.status : 'offline');
            if (createdMs > loginMs) createdMs = loginMs - rand() * 30 * DAY;
            user.lastLogin = iso(loginMs);
            updatedMs = Math.max(updatedMs, loginMs);
        }
        user.createdAt = iso(createdMs);
        user._updatedAt = iso(Math.min(updatedMs, NOW));
        if (named?.customFields) user.customFields = { ...named.customFields };
        if (chance(0.85)) user.utcOffset = pick(OFFSETS);
        if (user.type === 'user' && !named && chance(0.3)) {
            user.customFields = { clearance: chance(0.3) ? 'High' : 'Low', team: pick(TEAMS) };
            if (chance(0.1)) user.customFields.employeeId = 10000 + i;
        }
        if (user.type === 'user' && chance(0.05)) user.freeSwitchExtension = String(1000 + i);
        if (user.type === 'user' && !named && chance(0.002)) {
            // Matrix-federated users carry their home server in the username.
            user.federated = true;
            const local = `${slug(first)}.${slug(last)}`;
            let candidate = `@${local}:matrix.example.org`;
            for (let n = 2; usedNames.has(candidate.toLowerCase()); n++) candidate = `@${local}${n}:matrix.example.org`;
            usedNames.add(candidate.toLowerCase());
            user.username = candidate;
        }
        if (kind === 'agent' && chance(0.3)) user.authToken = `${user.username}-token`;

        if (outsiders.length < outsiderCount && i >= 10 && (neverLoggedIn || !user.active || user.type === 'bot') && chance(0.3)) {
            outsiders.push(id);
        }
        users.push(user);
    }

    // Rooms.
    const outside = new Set(outsiders);
    const inRooms = users.filter((u) => !outside.has(u._id)).map((u) => u._id);
    const rooms: WorkspaceRoom[] = [{ _id: 'GENERAL', name: 'general', t: 'c', members: [...inRooms], owners: ['admin'] }];
    const sample = (size: number): string[] => {
        const chosen = new Set<string>();
        const want = Math.min(size, inRooms.length);
        while (chosen.size < want) chosen.add(inRooms[Math.floor(rand() * inRooms.length)]);
        return [...chosen];
    };
    const withFixed = (members: string[], fixed: string[]) => [...new Set([...fixed, ...members])];

    const teamCount = Math.max(4, Math.round(total / 250));
    for (let t = 0; t < teamCount; t++) {
        const team = TEAMS[t % TEAMS.length];
        const name = t < TEAMS.length ? slug(team) : `${slug(team)}-${Math.floor(t / TEAMS.length) + 1}`;
        const size = 20 + Math.floor(rand() ** 2 * 480);
        rooms.push({ _id: `team-${name}`, name, t: 'c', members: withFixed(sample(size), t === 0 ? ['alice', 'admin'] : ['admin']), owners: ['admin'] });
    }
    const groupCount = Math.max(3, Math.round(total / 500));
    // A private group's only owner: its first ordinary member (not a fixed account), so some users are the last owner of a room.
    const byId = new Map(users.map((u) => [u._id, u]));
    const fixed = new Set(['admin', 'alice', 'manager', 'agent', 'rocket.cat']);
    const groupOwner = (members: string[]): string[] => {
        const owner = members.find((id) => !fixed.has(id) && byId.get(id)?.type === 'user' && !byId.get(id)?.federated);
        return owner ? [owner] : [];
    };
    for (let g = 0; g < groupCount; g++) {
        const name = `private-${slug(pick(TEAMS))}-${g + 1}`;
        const members = withFixed(sample(5 + Math.floor(rand() * 45)), g === 0 ? ['manager', 'agent'] : []);
        rooms.push({ _id: `group-${g + 1}`, name, t: 'p', members, owners: groupOwner(members) });
    }
    rooms.push({ _id: 'omnichannel', name: 'omnichannel', t: 'p', members: withFixed([], ['admin', 'manager', 'agent']), owners: ['admin', 'manager'] });

    const dmCount = Math.max(10, Math.round(total / 2));
    const dmSeen = new Set<string>();
    const addDm = (a: string, b: string) => {
        if (a === b) return;
        const [x, y] = a < b ? [a, b] : [b, a];
        const key = `${x}${y}`;
        if (dmSeen.has(key)) return;
        dmSeen.add(key);
        rooms.push({ _id: key, t: 'd', members: [x, y] });
    };
    addDm('alice', 'admin');
    addDm('agent', 'manager');
    for (let d = 0; d < dmCount; d++) {
        addDm(inRooms[Math.floor(rand() * inRooms.length)], inRooms[Math.floor(rand() * inRooms.length)]);
    }
    // Rocket.Chat made the direct rooms of the deactivated users read-only when it deactivated them.
    const deactivated = new Set(users.filter((u) => u.active === false).map((u) => u._id));
    for (const room of rooms) {
        if (room.t === 'd' && room.members.some((id) => deactivated.has(id))) room.ro = true;
    }
    // Rooms were created and last changed before today, as in a workspace that ran before the app came.
    for (const room of rooms) {
        const createdMs = EPOCH + rand() * (NOW - EPOCH - DAY);
        room.ts = iso(createdMs);
        room._updatedAt = iso(createdMs + rand() * (NOW - createdMs));
    }
    return { users, rooms };
}
