/** Unit tests (test/unit) run the pure core; end-to-end tests (test/e2e) install the packaged app in the real engine host. */
module.exports = {
    testEnvironment: 'node',
    roots: ['<rootDir>/test'],
    testMatch: ['**/*.test.ts'],
    transform: { '^.+\\.ts$': 'ts-jest' },
    maxWorkers: 2,
};
