const preset = require('../../jest.preset.cjs');
module.exports = { ...preset, displayName: 'math', rootDir: __dirname };
