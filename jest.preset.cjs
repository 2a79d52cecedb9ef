// Shared jest settings: swc transform (decorator metadata on, for type-graphql),
// @cinemap/* aliases resolved to source (read from tsconfig.base.json's paths, the
// one list of public doors), dynamic import() left alone so ESM-only packages (vega,
// @kubernetes/client-node) load through --experimental-vm-modules.
const path = require('node:path');
const root = __dirname;
const { paths } = require('./tsconfig.base.json').compilerOptions;
const aliases = Object.fromEntries(
  Object.entries(paths).map(([alias, [target]]) => [`^${alias.replace(/[/.]/g, '\\$&')}$`, path.join(root, target)]),
);
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
  moduleNameMapper: aliases,
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  testMatch: ['**/*.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
};
