// One jest run over every project (what `npm test` does); `nx test <project>` runs one.
// Workers: jest's default is cores - 1, which on the 2-core machines CI and developers use
// means one suite at a time, while most suites wait on child processes (gateways, PGlite,
// PostgreSQL, the browser) for much of their time; two workers overlap those waits.
// With two suites sharing two cores, a hook or test that takes 2-3 s alone can take more
// than jest's default 5 s (the synthetic generator's beforeAll did, once): the default
// limit is 30 s, a guard against hangs, not a speed check (speed is measured in the bench).
const { availableParallelism } = require('node:os');
module.exports = {
  maxWorkers: Math.max(2, availableParallelism() - 1),
  testTimeout: 30_000,
  projects: [
    '<rootDir>/apps/*/jest.config.cjs',
    '<rootDir>/libs/*/jest.config.cjs',
    '<rootDir>/k8s/jest.config.cjs',
    '<rootDir>/tools/jest.config.cjs',
    '<rootDir>/bench/jest.config.cjs',
    '<rootDir>/tests/*/jest.config.cjs',
  ],
};
