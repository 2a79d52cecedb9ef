// Typed queries used by apps/trainer. All of its SQL lives here.
export {};
