const preset = require('../../jest.preset.cjs');
module.exports = {
  ...preset,
  displayName: 'gateway',
  rootDir: __dirname,
  testEnvironment: require.resolve('../../jest.host-arrays.environment.cjs'),
};
