package io.tidemark.online.materialize;

import static org.apache.spark.sql.functions.col;

import io.tidemark.definitions.FeatureGroup;
import io.tidemark.offline.MetadataColumns;
import io.tidemark.offline.OfflineTable;
import io.tidemark.online.dynamo.DynamoConnection;
import io.tidemark.online.dynamo.GroupLease;
import io.tidemark.online.dynamo.ItemSchema;
import io.tidemark.online.dynamo.OnlineCatalog;
import io.tidemark.online.dynamo.OnlineConfig;
import io.tidemark.online.dynamo.OnlineTables;
import io.tidemark.online.dynamo.WriteFence;
import io.tidemark.util.JobLabel;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * What every kind of load of one group shares: its offline table, item shape, online catalog entry and tables, the
 * writer lease the run holds, where it writes, and the run's Spark job label.
 */
record LoadContext(SparkSession spark, FeatureGroup group, OfflineTable table, ItemSchema schema,
    OnlineConfig config, OnlineCatalog catalog, OnlineTables tables, Optional<OnlineCatalog.Entry> entry,
    GroupLease lease, WriteFence fence, DynamoConnection writeConnection, JobLabel label, Clock clock) {

  /** What one load did: its mode, the table it wrote, the offline versions it covered and its writers' counts. */
  record Run(String mode, String table, Optional<Long> from, Optional<Long> to, WriteStats stats,
      Duration writing) {}

  /** Writes decided rows (spread by {@link #spread}) to {@code onlineTable}; {@code fresh}: a new table. */
  WriteStats write(Dataset<Row> rows, String onlineTable, boolean fresh) {
    return OnlineWriter.write(spark, rows, writeConnection, onlineTable, schema, fresh, config, fence);
  }

  /** Spreads rows over the write tasks by record id (before the aggregation by id: it saves a shuffle). */
  Dataset<Row> spread(Dataset<Row> rows) {
    return OnlineWriter.spread(rows, schema.key(), OnlineWriter.tasks(spark, config));
  }

  /** The history columns an item is made of: id, event time, write_time, is_deleted and the values. */
  Column[] itemColumns() {
    List<Column> cols = new ArrayList<>();
    cols.add(col(schema.key()));
    cols.add(col(schema.eventTimeFeature()));
    cols.add(col(MetadataColumns.WRITE_TIME));
    cols.add(col(MetadataColumns.IS_DELETED));
    schema.valueNames().forEach(v -> cols.add(col(v)));
    return cols.toArray(Column[]::new);
  }
}
