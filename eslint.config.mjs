// ESLint for the whole workspace (`npm run lint`; `npm test` runs it through
// tools/src/lint.spec.ts). What it polices, so reviews talk about design, not layout:
//  - typescript-eslint's recommended rules;
//  - the module boundaries, from the project tags in each project.json
//    (@nx/enforce-module-boundaries): libs never import apps; pure libs import only pure
//    libs and the pure packages listed; an app imports libs only, except apps/cinemap, the
//    composition root, which may use the other apps' public doors; nothing reaches into
//    another project by a relative path;
//  - test doors (`@cinemap/<lib>/testing`) stay out of production code; pure libs import
//    none of Node's I/O modules (the Nx rule does not look at built-ins);
//  - the explorer is a client of the public GraphQL API only (no @cinemap/* import);
//  - a function does one job a reader can name: past 60 lines, name its parts.
// Layout is Prettier's (.prettierrc.json), so the style rules it owns are off.
// The one boundary Nx cannot express, "SQL only in libs/db", is tools/src/boundaries.spec.ts.
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

/** Packages a pure lib (domain, math, model) may import: computation only, no I/O. */
const PURE_PACKAGES = ['ml-pca', 'ml-matrix', 'wabt', 'onnx-proto'];
/** The apps' public doors: only the composition root, the bench and the reliability tests use them. */
const APP_DOORS = ['@cinemap/gateway', '@cinemap/ingest', '@cinemap/trainer'];
/** The one app door the manifests use: alerts and dashboards are checked against the gateway's real metrics. */
const DEPLOY_DOORS = ['@cinemap/gateway/metrics'];

/** Production code never imports a lib's test door. */
const TEST_DOORS = { group: ['@cinemap/*/testing'], message: 'Test doors (@cinemap/<lib>/testing) are for tests only.' };
/** Node's modules that do I/O (or start processes and threads). */
const NODE_IO = [
  'node:*',
  'fs',
  'fs/*',
  'path',
  'os',
  'child_process',
  'http',
  'https',
  'net',
  'tls',
  'dns',
  'worker_threads',
  'zlib',
  'stream',
  'stream/*',
  'readline',
];

/** The module-boundary rule over the project tags; `opts` loosen it for the files that need it. */
function boundaries({ allowAppDoors = false, pureTests = false, doors = [] } = {}) {
  return [
    'error',
    {
      // Nx forbids importing an application outright; the doors are allowed where composing them is the job.
      allow: allowAppDoors ? APP_DOORS : doors,
      enforceBuildableLibDependency: false,
      depConstraints: [
        { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
        // A pure lib's tests may use test tools (fast-check, independent reference implementations).
        pureTests
          ? { sourceTag: 'purity:pure', onlyDependOnLibsWithTags: ['purity:pure'] }
          : { sourceTag: 'purity:pure', onlyDependOnLibsWithTags: ['purity:pure'], allowedExternalImports: PURE_PACKAGES },
        { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
        { sourceTag: 'scope:cinemap', onlyDependOnLibsWithTags: ['type:lib', 'type:app'] },
        { sourceTag: 'type:bench', onlyDependOnLibsWithTags: ['type:lib', 'type:app'] },
        { sourceTag: 'type:test', onlyDependOnLibsWithTags: ['type:lib', 'type:app'] },
        { sourceTag: 'type:tooling', onlyDependOnLibsWithTags: ['type:lib'] },
        // The manifests are checked against the apps they deploy (e.g. alerts name real metrics).
        { sourceTag: 'type:deploy', onlyDependOnLibsWithTags: ['type:lib', 'type:app'] },
      ],
    },
  ];
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'reports/**', '.nx/**', '.cinemap/**', 'bench/results/**'] },
  // A disable comment that no longer silences anything is itself an error (the exceptions stay honest).
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: { ...nodeGlobals() } },
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': boundaries(),
      // Unused code is an error (tsc's noUnusedLocals agrees); a leading _ marks a deliberate one.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // The WASM loaders and the bundles' worker paths use require on purpose (CommonJS bundles).
      '@typescript-eslint/no-require-imports': 'off',
      'max-lines-per-function': ['error', { max: 60, skipBlankLines: true, skipComments: true, IIFEs: true }],
    },
  },
  {
    // Tests and test support read as tables and scenarios: long is fine there.
    files: ['**/*.spec.ts', '**/e2e/**', 'tests/**', '**/testing/**', 'tools/**', 'bench/src/**/*.spec.ts'],
    rules: {
      'max-lines-per-function': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  { files: ['apps/cinemap/**', 'bench/**', 'tests/**'], rules: { '@nx/enforce-module-boundaries': boundaries({ allowAppDoors: true }) } },
  { files: ['k8s/**'], rules: { '@nx/enforce-module-boundaries': boundaries({ doors: DEPLOY_DOORS }) } },
  { files: ['libs/{domain,math,model}/src/**/*.spec.ts'], rules: { '@nx/enforce-module-boundaries': boundaries({ pureTests: true }) } },
  // Jest configs load the shared preset by path: tooling, not a project import.
  { files: ['**/jest.config.cjs'], rules: { '@nx/enforce-module-boundaries': 'off' } },
  {
    // k8s/ is the Kubernetes work's area (parsed YAML is untyped there); tighten these with it.
    files: ['k8s/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', 'prefer-const': 'off', 'max-lines-per-function': 'off' },
  },
  {
    // Production code never imports a lib's test door.
    files: ['apps/*/src/**/*.ts', 'libs/*/src/**/*.ts'],
    ignores: ['**/*.spec.ts', 'libs/*/src/testing/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [TEST_DOORS] }],
    },
  },
  {
    // Pure libs do no I/O (Nx's rule does not look at Node's built-in modules).
    files: ['libs/{domain,math,model}/src/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            TEST_DOORS,
            { group: NODE_IO, message: 'libs/domain, libs/math and libs/model are pure: no I/O (move it to an I/O lib or an app).' },
          ],
        },
      ],
    },
  },
  {
    // The explorer talks to the server only through the public GraphQL API.
    files: ['apps/explorer/src/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    languageOptions: { globals: { ...browserGlobals() } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@cinemap/*'],
              message: 'The explorer is a client of the public GraphQL API only: use ./api (types generated from schema.graphql).',
            },
          ],
        },
      ],
    },
  },
  { files: ['**/*.cjs'], languageOptions: { sourceType: 'commonjs' } },
  prettier,
);

function nodeGlobals() {
  const names = [
    'process',
    'Buffer',
    'console',
    '__dirname',
    '__filename',
    'require',
    'module',
    'exports',
    'setTimeout',
    'clearTimeout',
    'setInterval',
    'clearInterval',
    'setImmediate',
    'clearImmediate',
    'URL',
    'URLSearchParams',
    'TextEncoder',
    'TextDecoder',
    'fetch',
    'AbortController',
    'AbortSignal',
    'performance',
    'structuredClone',
    'WebAssembly',
    'SharedArrayBuffer',
    'Atomics',
    'queueMicrotask',
    'globalThis',
    'NodeJS',
  ];
  return Object.fromEntries(names.map((n) => [n, 'readonly']));
}

function browserGlobals() {
  const names = [
    'window',
    'document',
    'location',
    'history',
    'HTMLElement',
    'HTMLInputElement',
    'HTMLUListElement',
    'HTMLOListElement',
    'HTMLButtonElement',
    'HTMLFormElement',
    'HTMLCanvasElement',
    'HTMLElementTagNameMap',
    'Element',
    'Node',
    'FormData',
    'KeyboardEvent',
    'MouseEvent',
    'Event',
    'getComputedStyle',
    'requestAnimationFrame',
  ];
  return Object.fromEntries(names.map((n) => [n, 'readonly']));
}
