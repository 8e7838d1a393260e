/// <reference types="jest" />
/**
 * The layout docs/architecture.md describes, held against the code: the core
 * stays pure (no engine, no adapters), imports run one way (no cycles), and no
 * file of the app grows past what a newcomer reads in one sitting.
 */
import * as fs from 'fs';
import * as path from 'path';

const SRC = path.join(__dirname, '..', '..', 'src');
const MAX_LINES = 400;

function sourceFiles(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) return sourceFiles(full);
        return entry.name.endsWith('.ts') ? [full] : [];
    });
}

/** The files of src/ a file imports (type-only imports too: a cycle of types is a cycle of ideas). */
function localImports(file: string): string[] {
    const text = fs.readFileSync(file, 'utf8');
    const specifiers = [...text.matchAll(/^(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/gms)].map((match) => match[1]);
    return specifiers.map((specifier) => {
        const base = path.resolve(path.dirname(file), specifier);
        return [`${base}.ts`, path.join(base, 'index.ts')].find((candidate) => fs.existsSync(candidate)) ?? `${base}.ts`;
    });
}

const files = sourceFiles(SRC);
const relative = (file: string) => path.relative(SRC, file);

it('finds the app', () => {
    expect(files.map(relative)).toEqual(expect.arrayContaining(['UserDirectoryApp.ts', 'endpoints.ts', path.join('core', 'handlers.ts')]));
});

it(`keeps every file of src/ under ${MAX_LINES} lines`, () => {
    const long = files.filter((file) => fs.readFileSync(file, 'utf8').split('\n').length > MAX_LINES).map(relative);
    expect(long).toEqual([]);
});

it('keeps the core pure: it imports neither the engine nor the adapters around it', () => {
    const core = files.filter((file) => relative(file).startsWith(`core${path.sep}`));
    const outside = core.flatMap((file) => {
        const text = fs.readFileSync(file, 'utf8');
        const engine = /from\s+'@rocket\.chat\/apps-engine/.test(text) ? ['@rocket.chat/apps-engine'] : [];
        const adapters = localImports(file).filter((target) => !relative(target).startsWith(`core${path.sep}`));
        return [...engine, ...adapters.map(relative)].map((target) => `${relative(file)} → ${target}`);
    });
    expect(outside).toEqual([]);
});

it('has no import cycle', () => {
    const graph = new Map(files.map((file) => [file, localImports(file)]));
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (file: string, trail: string[]) => {
        if (state.get(file) === 'done') return;
        if (state.get(file) === 'open') {
            cycles.push([...trail.slice(trail.indexOf(file)), file].map(relative).join(' → '));
            return;
        }
        state.set(file, 'open');
        for (const target of graph.get(file) ?? []) visit(target, [...trail, file]);
        state.set(file, 'done');
    };
    for (const file of files) visit(file, []);
    expect(cycles).toEqual([]);
});
