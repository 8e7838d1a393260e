/**
 * Unit tests (test/unit) run the pure core and the host's pure parts;
 * end-to-end tests (test/e2e) install the packaged app in the real engine
 * host, once per engine runtime the host runs (HOST_ENGINE, see
 * test/e2e/support.ts).
 */
const base = { testEnvironment: 'node', transform: { '^.+\\.ts$': 'ts-jest' } };

const e2e = (engine) => ({
    ...base,
    displayName: `e2e-${engine}`,
    roots: ['<rootDir>/test/e2e'],
    testMatch: ['**/*.test.ts'],
    setupFiles: [`<rootDir>/test/e2e/engine-${engine}.setup.js`],
});

module.exports = {
    maxWorkers: 2,
    projects: [
        { ...base, displayName: 'unit', roots: ['<rootDir>/test/unit'], testMatch: ['**/*.test.ts'] },
        e2e('1.62.0'),
        {
            ...e2e('1.59.0'),
            // package.test.ts checks the zip, whatever the engine.
            testPathIgnorePatterns: ['/package\\.test\\.ts$'],
        },
    ],
};
