// @cinemap/math: pure numerics over typed arrays (no I/O). The only public door.
export * from './rng';
export * from './cosine';
export * from './top-k';
export * from './dot-scan';
export * from './wat';
export * from './sampling';
export * from './one-cycle';
export * from './pca';
export * from './metrics';
export * from './audience-svd';
export * from './blend';
export * from './audience-kernel';
export * from './fold-in';
export * from './neighbour-lists';
