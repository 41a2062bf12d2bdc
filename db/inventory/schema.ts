// The stock ledger's tables (issue #12): an append-only movement log and the levels derived from it.
// Empty until the ledger lands; `migrateAll` skips a database with no migrations yet.
export {};
