package io.tidemark.asof;

import static io.tidemark.asof.MergeLayout.ELIGIBLE_COLUMN;
import static io.tidemark.asof.MergeLayout.KEY_COLUMN;
import static io.tidemark.asof.MergeLayout.TIME_COLUMN;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoder;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.KeyValueGroupedDataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The two ways ({@link AsOfJoin.Strategy}) one pass's spine side and history side are co-partitioned by key,
 * sorted and handed to {@link AsOfMerge}; both give identical rows.
 */
final class MergeWiring {
  private MergeWiring() {}

  /** {@code groupBy(key).as(...).cogroupSorted(...)}: Spark plans the exchanges and sorts. */
  @SuppressWarnings("unchecked")
  static Dataset<Row> cogroup(Dataset<Row> spineSide, Dataset<Row> history, DataType keyType,
      MergeLayout layout, StructType outSchema) {
    Encoder<Object> keyEncoder = (Encoder<Object>) (Encoder<?>) (keyType.equals(DataTypes.LongType)
        ? Encoders.LONG() : Encoders.STRING());
    // cogroup requires both grouping keys to have the same type including nullability (a literal key is not null)
    Column nullableKey = functions.when(col(KEY_COLUMN).isNull(), lit(null).cast(keyType))
        .otherwise(col(KEY_COLUMN));
    Dataset<Row> spineKeyed = spineSide.withColumn(KEY_COLUMN, nullableKey);
    Dataset<Row> historyKeyed = history.withColumn(KEY_COLUMN, nullableKey);
    KeyValueGroupedDataset<Object, Row> s = spineKeyed.groupBy(col(KEY_COLUMN)).as(keyEncoder,
        Encoders.row(spineKeyed.schema()));
    KeyValueGroupedDataset<Object, Row> h = historyKeyed.groupBy(col(KEY_COLUMN)).as(keyEncoder,
        Encoders.row(historyKeyed.schema()));
    return s.cogroupSorted(h, new Column[] {col(TIME_COLUMN)}, new Column[] {col(ELIGIBLE_COLUMN)},
        (key, spineRows, historyRows) -> AsOfMerge.external(layout, spineRows, historyRows),
        Encoders.row(outSchema));
  }

  /**
   * {@code repartition(n, key).sortWithinPartitions(key, time)} of both sides, then {@code zipPartitions}, over
   * {@code n} partitions.
   */
  static Dataset<Row> zipPartitions(SparkSession spark, Dataset<Row> spineSide, Dataset<Row> history,
      MergeLayout layout, StructType outSchema, int n) {
    // Spark's internal rows on both sides and out: no conversion of every row to Java objects and back
    JavaRDD<InternalRow> s = InternalRows.of(spineSide.repartition(n, col(KEY_COLUMN))
        .sortWithinPartitions(col(KEY_COLUMN), col(TIME_COLUMN)));
    JavaRDD<InternalRow> h = InternalRows.of(history.repartition(n, col(KEY_COLUMN))
        .sortWithinPartitions(col(KEY_COLUMN), col(ELIGIBLE_COLUMN)));
    // Spark plans an empty side (a header-only spine, a history pruned to nothing) without any partition: give it
    // n empty ones, so both sides still zip partition by partition
    s = s.getNumPartitions() == 0 ? emptyPartitions(spark, n) : s;
    h = h.getNumPartitions() == 0 ? emptyPartitions(spark, n) : h;
    if (s.getNumPartitions() != h.getNumPartitions()) {
      throw new IllegalStateException("as-of join: spine has " + s.getNumPartitions() + " partitions but history "
          + h.getNumPartitions() + "; both must be hash-partitioned into " + n);
    }
    JavaRDD<InternalRow> merged = s.zipPartitions(h, (a, c) -> AsOfMerge.internal(layout, a, c));
    return InternalRows.toDataFrame(spark, merged, outSchema);
  }

  private static JavaRDD<InternalRow> emptyPartitions(SparkSession spark, int n) {
    return new JavaSparkContext(spark.sparkContext()).parallelize(List.<InternalRow>of(), n);
  }
}
