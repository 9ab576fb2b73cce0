package io.tidemark.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import io.tidemark.offline.ErasureLedger;
import io.tidemark.offline.MetadataColumns;
import io.tidemark.offline.OfflineTable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/** Validated rows checked against what the store knows: record ids erased before, history rows stored already. */
final class StoreChecks {
  /** True on a history row the offline table holds already. */
  static final String STORED = "_tm_stored";
  private static final String ERASED_HASH = "_tm_erased_hash";
  private static final String ERASURE = "_tm_erasure";

  private StoreChecks() {}

  /**
   * Refuses rows of erased record ids: each gets a reason naming the erasure, and its raw row is not kept (the
   * quarantine would otherwise store the erased person's data again), so counts still add up.
   */
  static Dataset<Row> refuseErased(String database, String group, Dataset<Row> validated, Dataset<Row> erasedHashes,
      String idColumn) {
    Dataset<Row> hashes = erasedHashes.groupBy(col("id_sha256").as(ERASED_HASH))
        .agg(functions.min(col("erasure_id")).as(ERASURE));
    Column match = ErasureLedger.hash(database, group, validated.col(idColumn)).equalTo(hashes.col(ERASED_HASH));
    Dataset<Row> joined = validated.join(functions.broadcast(hashes), match, "left_outer");
    Column isErased = hashes.col(ERASED_HASH).isNotNull();
    List<Column> out = new ArrayList<>();
    for (String c : validated.columns()) {
      Column v = validated.col(c);
      if (c.equals(RowValidator.REASONS)) {
        Column reason = new Constraint.NotErased(idColumn).failure(TypedColumns.Typed.of(hashes.col(ERASURE)))
            .orElseThrow();
        v = when(isErased, functions.concat(v, functions.array(reason))).otherwise(v);
      } else if (c.equals(RowValidator.RAW_ROW)) {
        v = when(isErased, lit(null).cast("string")).otherwise(v);
      }
      out.add(v.as(c));
    }
    return joined.select(out.toArray(Column[]::new));
  }

  /**
   * Marks ({@link #STORED}) the history rows whose record id, event time, write_time and api_invocation_time the
   * table holds already, so importing a store again (or after it grew) writes only what is new.
   */
  static Dataset<Row> markStored(Dataset<Row> validated, OfflineTable table, String recordIdentifier,
      String eventTime) {
    List<String> keys = List.of(recordIdentifier, eventTime, MetadataColumns.WRITE_TIME,
        MetadataColumns.API_INVOCATION_TIME);
    if (!table.exists()) {
      return validated.withColumn(STORED, lit(false));
    }
    Dataset<Row> present = table.read().select(keys.stream().map(k -> col(k).as("_tm_stored_" + k))
        .toArray(Column[]::new)).distinct().withColumn(STORED, lit(true));
    Column on = lit(true);
    for (String k : keys) {
      on = on.and(col(k).equalTo(present.col("_tm_stored_" + k)));
    }
    List<Column> out = new ArrayList<>();
    for (String c : validated.columns()) {
      out.add(validated.col(c));
    }
    out.add(functions.coalesce(present.col(STORED), lit(false)).as(STORED));
    return validated.join(present, on, "left_outer").select(out.toArray(Column[]::new));
  }
}
