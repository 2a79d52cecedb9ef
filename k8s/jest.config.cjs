const preset = require('../jest.preset.cjs');
module.exports = { ...preset, displayName: 'k8s', rootDir: __dirname };
