// Typed queries used by apps/gateway. All of its SQL lives here.
export {};
