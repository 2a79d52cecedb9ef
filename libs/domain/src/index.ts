// @cinemap/domain: pure types and rules of cinemap (no I/O). The only public door.
export * from './title';
export * from './title-key';
export * from './movie-keys';
export * from './title-query';
export * from './title-index';
export * from './genres';
export * from './movie';
export * from './curation';
export * from './movie-filter';
export * from './filter-columns';
export * from './movie-exclusion';
export * from './visitor';
export * from './model-params';
export * from './title-examples';
export * from './similarity-basis';
