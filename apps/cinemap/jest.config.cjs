const preset = require('../../jest.preset.cjs');
module.exports = { ...preset, displayName: 'cinemap', rootDir: __dirname };
