const preset = require('../../jest.preset.cjs');
module.exports = { ...preset, displayName: 'movielens', rootDir: __dirname };
