// Typed queries used by apps/ingest. All of its SQL lives here.
export {};
