const preset = require('../jest.preset.cjs');
module.exports = { ...preset, displayName: 'bench', rootDir: __dirname };
