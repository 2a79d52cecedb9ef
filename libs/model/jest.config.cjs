const preset = require('../../jest.preset.cjs');
module.exports = { ...preset, displayName: 'model', rootDir: __dirname };
