// A versioned migration: applied once, in order, inside a transaction, recorded in
// schema_migrations with a checksum so an edited, already-applied migration is caught.
export interface Migration {
  version: number;
  name: string;
  sql: string;
}
