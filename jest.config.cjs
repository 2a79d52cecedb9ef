// One jest run over every project (what `npm test` does); `nx test <project>` runs one.
module.exports = {
  projects: [
    '<rootDir>/apps/*/jest.config.cjs',
    '<rootDir>/libs/*/jest.config.cjs',
    '<rootDir>/k8s/jest.config.cjs',
    '<rootDir>/tools/jest.config.cjs',
    '<rootDir>/bench/jest.config.cjs',
    '<rootDir>/tests/*/jest.config.cjs',
  ],
};
