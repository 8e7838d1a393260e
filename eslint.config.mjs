// ESLint: typescript-eslint's type-checked recommendations over the app, the
// local workspace, tests, scripts and benchmarks; formatting is Prettier's job.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
    { ignores: ['node_modules/', 'dist/', 'coverage/', '.deno-cache/', '.host-data/', '.package-stage/', 'host/runtime/std/'] },
    js.configs.recommended,
    ...tseslint.configs.recommendedTypeChecked,
    {
        languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
        rules: {
            // The engine's app and bridge interfaces return promises: an async method without await is how they are met.
            '@typescript-eslint/require-await': 'off',
            // Without esModuleInterop, a CommonJS module's single export is imported as `import X = require('x')`.
            '@typescript-eslint/no-require-imports': ['error', { allowAsImport: true }],
            '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
        },
    },
    {
        // The engine's app compiler has no JSON modules: the catalogues are required, and bundled by the packager.
        files: ['src/i18n.ts'],
        rules: { '@typescript-eslint/no-require-imports': 'off' },
    },
    {
        // Tests and benchmarks read JSON bodies and engine internals whose shape they then assert.
        files: ['test/**/*.ts', 'bench/**/*.ts'],
        rules: {
            '@typescript-eslint/no-unsafe-assignment': 'off',
            '@typescript-eslint/no-unsafe-member-access': 'off',
            '@typescript-eslint/no-unsafe-call': 'off',
            '@typescript-eslint/no-unsafe-return': 'off',
            '@typescript-eslint/no-unsafe-argument': 'off',
            '@typescript-eslint/no-explicit-any': 'off',
        },
    },
    {
        files: ['host/engine.ts'],
        // The chosen engine package (1.62.0 or 1.59.0) is loaded by path at run time.
        rules: { '@typescript-eslint/no-require-imports': 'off' },
    },
    {
        files: ['**/*.js', '**/*.mjs'],
        extends: [tseslint.configs.disableTypeChecked],
        languageOptions: {
            globals: { require: 'readonly', module: 'writable', process: 'readonly', __dirname: 'readonly', console: 'readonly', Buffer: 'readonly' },
        },
        rules: { '@typescript-eslint/no-require-imports': 'off' /* CommonJS scripts */ },
    },
);
