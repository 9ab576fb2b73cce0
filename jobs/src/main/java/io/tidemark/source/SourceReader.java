package io.tidemark.source;

import io.tidemark.definitions.SourceDefinition;
import io.tidemark.definitions.SourceInput;
import java.util.HashMap;
import java.util.Map;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Reads a raw source (local path, s3://, s3a://) in csv, json, parquet or delta.
 *
 * <p>CSV is read with every column as a string, so values reach validation exactly as written and a bad value
 * becomes a quarantine row instead of a silent null. Lines Spark cannot parse land in {@link #CORRUPT_RECORD}.
 */
public final class SourceReader {
  /** Holds the raw text of a csv/json line that could not be parsed. */
  public static final String CORRUPT_RECORD = "_corrupt_record";

  private SourceReader() {}

  public static Dataset<Row> read(SparkSession spark, SourceDefinition source) {
    return read(spark, source.primary());
  }

  /** Reads one input; {@code datePartitionColumn}, when set, can then prune with {@link #dateRange}. */
  public static Dataset<Row> read(SparkSession spark, SourceInput source) {
    try {
      return switch (source.format()) {
        case CSV -> readCsv(spark, source);
        case JSON -> reader(spark, source).option("columnNameOfCorruptRecord", CORRUPT_RECORD).json(source.path());
        case PARQUET -> reader(spark, source).parquet(source.path());
        case DELTA -> reader(spark, source).format("delta").load(source.path());
      };
    } catch (Exception e) {
      if (e instanceof AnalysisException || e.getClass().getSimpleName().contains("NotFound")
          || String.valueOf(e.getMessage()).contains("does not exist")) {
        throw new IllegalArgumentException("cannot read " + source.format().sparkName() + " source '" + source.path()
            + "': " + firstLine(e.getMessage()) + " (check the path, or pass --source PATH --format FMT)", e);
      }
      throw e;
    }
  }

  /**
   * Keeps the partitions of {@code input} whose {@code yyyy-MM-dd} partition column is within the UTC dates of
   * {@code [start, end)} (inclusive of both dates, so no event in the range is missed).
   */
  public static Dataset<Row> dateRange(Dataset<Row> input, SourceInput source, java.time.Instant start,
      java.time.Instant end) {
    return source.datePartitionColumn().map(c -> {
      if (!java.util.Arrays.asList(input.columns()).contains(c)) {
        throw new IllegalArgumentException("date_partition_column '" + c + "' of source " + source.path()
            + " is not a column (columns: " + String.join(", ", input.columns()) + ")");
      }
      org.apache.spark.sql.Column day = org.apache.spark.sql.functions.col(c).cast("string");
      return input.where(day.geq(start.toString().substring(0, 10)).and(day.leq(end.toString().substring(0, 10))));
    }).orElse(input);
  }

  private static Dataset<Row> readCsv(SparkSession spark, SourceInput source) {
    Map<String, String> options = new HashMap<>(source.options());
    options.remove("inferSchema");
    StructType header = spark.read().options(options).csv(source.path()).schema();
    StructType schema = new StructType();
    for (StructField f : header.fields()) {
      schema = schema.add(f.name(), DataTypes.StringType, true);
    }
    schema = schema.add(CORRUPT_RECORD, DataTypes.StringType, true);
    return spark.read().options(options).option("mode", "PERMISSIVE")
        .option("columnNameOfCorruptRecord", CORRUPT_RECORD).schema(schema).csv(source.path());
  }

  private static DataFrameReader reader(SparkSession spark, SourceInput source) {
    return spark.read().options(source.options());
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
