package io.tidemark.online.materialize;

import io.tidemark.online.dynamo.DynamoConnection;
import io.tidemark.online.dynamo.ItemSchema;
import io.tidemark.online.dynamo.WriteFence;
import java.io.Serializable;

/**
 * What every write task needs: where to write, the item shape and how. Rows are snapshot rows: the record id, the
 * event time feature, write_time, is_deleted, the value features and, for a live table, {@link #FROM_CHANGES}.
 * Every request is a BatchWriteItem of up to 25 puts and deletes without conditions: the run holds the group's
 * writer lease ({@code fence} is checked before each request), so no other run writes the table meanwhile, and
 * every row is the winner of the record's whole offline history.
 *
 * @param fresh true when the table is new (a full reload): a winning tombstone needs no request there
 * @param unitsPerSecond this task's share of the write capacity (0: no limit)
 */
record WriteJob(DynamoConnection connection, String table, ItemSchema schema, boolean fresh, int concurrency,
    double unitsPerSecond, WriteFence fence) implements Serializable {
  /** Live table: false when the record's winner is not among the new changes (a late row lost; nothing to send). */
  static final String FROM_CHANGES = "_tidemark_from_changes";
}
