package io.tidemark.offline;

import java.util.Arrays;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;

/**
 * A Delta table beside a group's offline table, registered in the catalog as {@code <database>.<group>__<kind>}:
 * what an ingest refused, its data-quality record, its feature profiles. Every append is one idempotent commit
 * (a re-run batch commits once) and registers the table first when its catalog entry is missing or outdated.
 */
public final class SideTable {
  /** Columns of every side table: the batch and when it started. */
  public static final String BATCH_ID = "batch_id";
  public static final String WRITE_TIME = "write_time";
  /** Quarantine columns: where the row was read, every rule it broke, and the row as JSON. */
  public static final String SOURCE = "source";
  public static final String REASONS = "reasons";
  public static final String RAW_ROW = "raw_row";

  /** The side tables a group has: name suffix, columns, description. */
  public enum Kind {
    /** Rows an ingest refused, with every reason and the raw row as JSON: nothing an ingest reads is lost. */
    QUARANTINE("quarantine", "batch_id STRING COMMENT 'the ingest batch', "
        + "write_time TIMESTAMP COMMENT 'when the batch started', "
        + "source STRING COMMENT 'where the row was read', "
        + "reasons ARRAY<STRING> COMMENT 'every rule the row broke', "
        + "raw_row STRING COMMENT 'the input row as JSON'",
        "rows an ingest refused, with every reason and the raw row", false),
    /**
     * One row per batch on the health of a group's data. {@code features} maps each feature to its null count and
     * rate and, for numbers, min / max / mean of the rows written: {@code SELECT write_time, features['age'].mean}
     * plots a feature's history.
     */
    DATA_QUALITY("data_quality", "batch_id STRING, write_time TIMESTAMP, kind STRING, rows_read BIGINT, "
        + "rows_written BIGINT, rows_quarantined BIGINT, rows_out_of_range BIGINT, "
        + "quarantined_by_reason MAP<STRING, BIGINT>, warnings_by_rule MAP<STRING, BIGINT>, "
        + "features MAP<STRING, STRUCT<null_count: BIGINT, null_rate: DOUBLE, min: DOUBLE, max: DOUBLE, "
        + "mean: DOUBLE>>",
        "one row per batch: counts, quarantine reasons, per-feature statistics", false),
    /**
     * One row per batch and feature: counts, distinct estimate, deciles, histogram, top values of the rows the
     * batch wrote. {@code SELECT write_time, deciles ... WHERE feature = 'age'} is a distribution over time. A few
     * rows per batch: written as one file.
     */
    PROFILE("profile", "batch_id STRING, write_time TIMESTAMP, kind STRING, feature STRING, "
        + "feature_kind STRING, count BIGINT, missing BIGINT, distinct_estimate BIGINT, min DOUBLE, max DOUBLE, "
        + "mean DOUBLE, deciles ARRAY<DOUBLE>, histogram_edges ARRAY<DOUBLE>, histogram_counts ARRAY<BIGINT>, "
        + "top_values ARRAY<STRUCT<value: STRING, count: BIGINT>>",
        "one row per batch and feature: count, missing, distinct estimate, deciles, histogram, top values", true);

    private final String suffix;
    private final String ddl;
    private final String description;
    private final boolean oneFile;

    Kind(String suffix, String ddl, String description, boolean oneFile) {
      this.suffix = suffix;
      this.ddl = ddl;
      this.description = description;
      this.oneFile = oneFile;
    }

    /** The table's columns as Spark DDL (with the column comments the catalog shows). */
    public String ddl() {
      return ddl;
    }

    /** The table's schema, to build rows for {@link SideTable#append}. */
    public StructType schema() {
      return (StructType) DataType.fromDDL(ddl);
    }
  }

  private final OfflineStore store;
  private final String group;
  private final Kind kind;
  private final String name;

  SideTable(OfflineStore store, String group, Kind kind) {
    this.store = store;
    this.group = group;
    this.kind = kind;
    this.name = group + "__" + kind.suffix;
  }

  public Kind kind() {
    return kind;
  }

  public String tableName() {
    return store.database() + "." + name;
  }

  public String location() {
    return store.location(name);
  }

  /** Registers the table (an empty Delta table) unless the catalog already holds this entry. */
  public void ensureRegistered() {
    store.ensureSideTable(name, kind.ddl, kind.description, Map.of("tidemark.group", group, "tidemark.kind",
        kind.suffix));
  }

  /** Appends {@code rows} (the kind's columns, by name) in one commit that a re-run with {@code appId} skips. */
  public void append(Dataset<Row> rows, String appId) {
    ensureRegistered();
    Dataset<Row> columns = rows.select(Arrays.stream(kind.schema().fieldNames()).map(functions::col)
        .toArray(Column[]::new));
    DeltaWrites.once(DeltaWrites.append(kind.oneFile ? columns.coalesce(1) : columns), appId).save(location());
  }

  public Dataset<Row> read() {
    return store.spark().table(tableName());
  }
}
