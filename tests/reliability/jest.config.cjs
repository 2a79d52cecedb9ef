const preset = require('../../jest.preset.cjs');
module.exports = { ...preset, displayName: 'reliability', rootDir: __dirname };
