// Marketplace channels' tables (issue #13): allocation rules and per-channel sync state.
// Empty until the channels area lands; `migrateAll` skips a database with no migrations yet.
export {};
