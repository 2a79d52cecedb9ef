const preset = require('../../jest.preset.cjs');
module.exports = { ...preset, displayName: 'explorer', rootDir: __dirname };
