package io.tidemark.online;

import java.io.Serializable;

/**
 * What every write task needs: where to write, the item shape and how. Rows are snapshot rows: the record id, the
 * event time feature, write_time, is_deleted, the value features and, in conditional mode, {@link #FROM_CHANGES}.
 *
 * @param fresh true when the table is new and only this job writes to it: plain BatchWriteItem, no conditions
 * @param unitsPerSecond this task's share of the write capacity (0: no limit)
 */
record WriteJob(DynamoConnection connection, String table, ItemSchema schema, boolean fresh, int concurrency,
    double unitsPerSecond) implements Serializable {
  /** Conditional mode: false when the record's winner is not among the new changes (a late row lost). */
  static final String FROM_CHANGES = "_tidemark_from_changes";
}
