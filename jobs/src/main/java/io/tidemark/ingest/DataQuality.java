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
import io.tidemark.offline.DataQualityTable;
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
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;

/** Builds a batch's data-quality record: counts plus per-feature null rate and min / max / mean, in one pass. */
final class DataQuality {
  private DataQuality() {}

  static Dataset<Row> record(SparkSession spark, FeatureGroup group, Dataset<Row> written, String batchId,
      Timestamp writeTime, String kind, IngestResult counts) {
    List<Column> aggs = new ArrayList<>();
    aggs.add(count(lit(1)));
    for (FeatureDefinition f : group.features()) {
      aggs.add(sum(when(col(f.name()).isNull(), 1).otherwise(0)));
      boolean numeric = f.type() == FeatureType.INTEGRAL || f.type() == FeatureType.FRACTIONAL;
      aggs.add(numeric ? min(col(f.name()).cast("double")) : lit(null).cast("double"));
      aggs.add(numeric ? max(col(f.name()).cast("double")) : lit(null).cast("double"));
      aggs.add(numeric ? avg(col(f.name()).cast("double")) : lit(null).cast("double"));
    }
    Row stats = written.agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(Column[]::new)).first();
    long rows = stats.getLong(0);
    Map<String, Row> features = new LinkedHashMap<>();
    int i = 1;
    for (FeatureDefinition f : group.features()) {
      long nulls = stats.isNullAt(i) ? 0 : stats.getLong(i);
      features.put(f.name(), RowFactory.create(nulls, rows == 0 ? null : (double) nulls / rows,
          stats.get(i + 1), stats.get(i + 2), stats.get(i + 3)));
      i += 4;
    }
    Row record = RowFactory.create(batchId, writeTime, kind, counts.rowsRead(), counts.rowsWritten(),
        counts.rowsQuarantined(), counts.rowsOutOfRange(), scalaMap(counts.quarantineReasons()),
        scalaMap(counts.warnings()), scalaMap(features));
    return spark.createDataFrame(List.of(record), (StructType) DataType.fromDDL(DataQualityTable.DDL));
  }

  private static <V> scala.collection.Map<String, V> scalaMap(Map<String, V> m) {
    return scala.collection.JavaConverters.mapAsScalaMapConverter(m).asScala();
  }
}
