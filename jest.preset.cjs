// Shared jest settings: swc transform (decorator metadata on, for type-graphql),
// @cinemap/* aliases resolved to source, dynamic import() left alone so ESM-only
// packages (vega, @kubernetes/client-node) load through --experimental-vm-modules.
const path = require('node:path');
const root = __dirname;
module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.(t|j)s$': [
      require.resolve('@swc/jest'),
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
          keepClassNames: true,
        },
        module: { type: 'commonjs', ignoreDynamic: true },
        sourceMaps: 'inline',
      },
    ],
  },
  moduleNameMapper: {
    '^@cinemap/domain$': path.join(root, 'libs/domain/src/index.ts'),
    '^@cinemap/math$': path.join(root, 'libs/math/src/index.ts'),
    '^@cinemap/db$': path.join(root, 'libs/db/src/index.ts'),
    '^@cinemap/db/testing$': path.join(root, 'libs/db/src/testing/index.ts'),
  },
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  testMatch: ['**/*.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
};
