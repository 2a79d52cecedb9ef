const preset = require('../../jest.preset.cjs');
module.exports = { ...preset, displayName: 'ingest', rootDir: __dirname };
