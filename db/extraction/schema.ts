// Source extraction's tables (issue #14): cursors per source and entity, and source credentials.
// Empty until the extraction area lands; `migrateAll` skips a database with no migrations yet.
export {};
