const preset = require('../../jest.preset.cjs');
// host-realm typed arrays: the neighbour lists' ONNX Runtime screen reads tensors the addon made
module.exports = {
  ...preset,
  displayName: 'trainer',
  rootDir: __dirname,
  testEnvironment: require.resolve('../../jest.host-arrays.environment.cjs'),
};
