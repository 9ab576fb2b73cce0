package io.tidemark.ingest;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.tidemark.definitions.FeatureDefinition;
import io.tidemark.definitions.FeatureGroup;
import io.tidemark.definitions.FeatureType;
import io.tidemark.offline.SideTable;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

/**
 * A batch's data-quality record: counts plus per-feature null rate and min / max / mean. The statistics are
 * aggregate columns, so the ingest computes them in the same pass as its counts.
 */
final class DataQuality {
  private DataQuality() {}

  /** Per feature: null count, min, max and mean of the rows where {@code where} holds (4 columns each). */
  static List<Column> statistics(FeatureGroup group, Column where) {
    List<Column> aggs = new ArrayList<>();
    for (FeatureDefinition f : group.features()) {
      Column v = when(where, col(f.name()));
      aggs.add(sum(when(where.and(col(f.name()).isNull()), 1).otherwise(0)));
      boolean numeric = !f.isCollection() && (f.type() == FeatureType.INTEGRAL || f.type() == FeatureType.FRACTIONAL);
      aggs.add(numeric ? min(v.cast("double")) : lit(null).cast("double"));
      aggs.add(numeric ? max(v.cast("double")) : lit(null).cast("double"));
      aggs.add(numeric ? avg(v.cast("double")) : lit(null).cast("double"));
    }
    return aggs;
  }

  /** The statistics of all of {@code rows} (one pass). */
  static Map<String, Row> featureStatistics(FeatureGroup group, Dataset<Row> rows) {
    List<Column> aggs = statistics(group, lit(true));
    Row stats = rows.agg(count(lit(1)), aggs.toArray(Column[]::new)).first();
    return featureStatistics(group, stats, 1, stats.getLong(0));
  }

  /** Reads {@link #statistics}' columns from {@code stats}, starting at column {@code from}, over {@code rows}. */
  static Map<String, Row> featureStatistics(FeatureGroup group, Row stats, int from, long rows) {
    Map<String, Row> features = new LinkedHashMap<>();
    int i = from;
    for (FeatureDefinition f : group.features()) {
      long nulls = stats.isNullAt(i) ? 0 : stats.getLong(i);
      features.put(f.name(), RowFactory.create(nulls, rows == 0 ? null : (double) nulls / rows,
          stats.get(i + 1), stats.get(i + 2), stats.get(i + 3)));
      i += 4;
    }
    return features;
  }

  static Dataset<Row> record(SparkSession spark, Map<String, Row> features, String batchId, Timestamp writeTime,
      String kind, IngestResult counts) {
    Row record = RowFactory.create(batchId, writeTime, kind, counts.rowsRead(), counts.rowsWritten(),
        counts.rowsQuarantined(), counts.rowsOutOfRange(), scalaMap(counts.quarantineReasons()),
        scalaMap(counts.warnings()), scalaMap(features));
    return spark.createDataFrame(List.of(record), SideTable.Kind.DATA_QUALITY.schema());
  }

  private static <V> scala.collection.Map<String, V> scalaMap(Map<String, V> m) {
    return scala.collection.JavaConverters.mapAsScalaMapConverter(m).asScala();
  }
}
