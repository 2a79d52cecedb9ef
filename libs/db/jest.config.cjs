const preset = require('../../jest.preset.cjs');
module.exports = { ...preset, displayName: 'db', rootDir: __dirname };
