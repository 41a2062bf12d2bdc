import { sql } from 'drizzle-orm';
import { timestamp } from 'drizzle-orm/mysql-core';

// drizzle's defaultNow()/onUpdateNow() emit `DEFAULT (now())` and `ON UPDATE CURRENT_TIMESTAMP` without a
// precision: MySQL 8 rejects that on a timestamp(3) column (ER_INVALID_ON_UPDATE, drizzle-orm issue #3373)
// and MariaDB silently drops the milliseconds. Spelling the defaults out keeps both servers at millisecond precision.

/** A timestamp(3) the server fills on insert. */
export const createdAtColumn = (name = 'created_at') =>
  timestamp(name, { fsp: 3 })
    .notNull()
    .default(sql`CURRENT_TIMESTAMP(3)`);

/** A timestamp(3) the server fills on insert and refreshes on every update that changes the row. */
export const updatedAtColumn = (name = 'updated_at') =>
  timestamp(name, { fsp: 3 })
    .notNull()
    .default(sql`CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)`);
