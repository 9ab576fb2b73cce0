package io.tidemark.source;

import io.tidemark.definitions.SourceDefinition;
import io.tidemark.definitions.SourceFormat;
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

  /**
   * Tidemark's reader defaults, under every input's own options: CSV as RFC 4180 (a header line, quoted fields may
   * hold newlines, a quote inside a quoted field is doubled: {@code "say ""hi"""}), JSON values as the text they
   * were written as (so a number in a String id is not turned into a double).
   */
  public static Map<String, String> defaults(SourceFormat format) {
    return switch (format) {
      case CSV -> CSV_READ;
      case JSON -> Map.of("primitivesAsString", "true");
      default -> Map.of();
    };
  }

  private static final Map<String, String> CSV_READ = Map.of("header", "true", "multiLine", "true", "quote", "\"",
      "escape", "\"");

  /** Options for writing CSV others can read as RFC 4180 (Python's csv, pandas): quotes doubled, spaces kept. */
  public static Map<String, String> csvWriteDefaults() {
    return Map.of("quote", "\"", "escape", "\"", "ignoreLeadingWhiteSpace", "false",
        "ignoreTrailingWhiteSpace", "false");
  }

  /** The options an input is read with: {@link #defaults} overridden by the input's own. */
  public static Map<String, String> effectiveOptions(SourceInput source) {
    Map<String, String> all = new HashMap<>(defaults(source.format()));
    all.putAll(source.options());
    return all;
  }

  public static Dataset<Row> read(SparkSession spark, SourceDefinition source) {
    return read(spark, source.primary());
  }

  public static Dataset<Row> read(SparkSession spark, SourceInput source) {
    return read(spark, source, "source", "check the path, or pass --source PATH --format FMT");
  }

  /**
   * Reads one input; {@code datePartitionColumn}, when set, can then prune with {@link #dateRange}.
   *
   * @param role what the input is, for messages: {@code source}, {@code spine}, {@code delete file}
   * @param fix how to point at another input, for messages (e.g. {@code check --spine PATH})
   */
  public static Dataset<Row> read(SparkSession spark, SourceInput source, String role, String fix) {
    Dataset<Row> rows;
    try {
      rows = switch (source.format()) {
        case CSV -> readCsv(spark, source, role);
        case JSON -> readJson(spark, source);
        case PARQUET -> reader(spark, source).parquet(source.path());
        case DELTA -> reader(spark, source).format("delta").load(source.path());
      };
    } catch (EmptyInputException e) {
      throw e;
    } catch (Exception e) {
      if (e instanceof AnalysisException || e.getClass().getSimpleName().contains("NotFound")
          || String.valueOf(e.getMessage()).contains("does not exist")) {
        throw new IllegalArgumentException("cannot read " + source.format().sparkName() + " " + role + " '"
            + source.path() + "': " + firstLine(e.getMessage()) + " (" + fix + ")", e);
      }
      throw e;
    }
    if (source.format() == SourceFormat.JSON && rows.columns().length == 0) {
      throw empty(spark, source, role, rows.inputFiles(), "no JSON records");
    }
    return rows;
  }

  /** An input with nothing in it: an empty file is almost always a failed export, so it is named, not ingested. */
  public static final class EmptyInputException extends IllegalArgumentException {
    EmptyInputException(String message) {
      super(message);
    }
  }

  private static EmptyInputException empty(SparkSession spark, SourceInput source, String role, String[] files,
      String what) {
    long bytes = 0;
    for (String f : files) {
      try {
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(f);
        bytes += p.getFileSystem(spark.sparkContext().hadoopConfiguration()).getFileStatus(p).getLen();
      } catch (java.io.IOException e) {
        // the size is only for the message
      }
    }
    String size = files.length == 0 ? "no files" : files.length == 1 ? bytes + " bytes"
        : files.length + " files, " + bytes + " bytes";
    return new EmptyInputException(source.format().sparkName() + " " + role + " '" + source.path() + "' is empty ("
        + size + ", " + what + "); check the export that wrote it");
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

  private static Dataset<Row> readCsv(SparkSession spark, SourceInput source, String role) {
    Map<String, String> options = effectiveOptions(source);
    options.remove("inferSchema");
    Dataset<Row> probe = spark.read().options(options).csv(source.path());
    StructType header = probe.schema();
    if (header.fields().length == 0) {
      throw empty(spark, source, role, probe.inputFiles(), "no header line");
    }
    StructType schema = new StructType();
    for (StructField f : header.fields()) {
      schema = schema.add(f.name(), DataTypes.StringType, true);
    }
    schema = schema.add(CORRUPT_RECORD, DataTypes.StringType, true);
    return spark.read().options(options).option("mode", "PERMISSIVE")
        .option("columnNameOfCorruptRecord", CORRUPT_RECORD).schema(schema).csv(source.path());
  }

  /**
   * JSON Lines with only Tidemark's defaults: every value as the text it was written as ({@link JsonLinesText});
   * with reader options of its own (multiLine, allowComments, ...), Spark's reader with primitivesAsString.
   */
  private static Dataset<Row> readJson(SparkSession spark, SourceInput source) {
    Dataset<Row> spark_ = reader(spark, source).option("columnNameOfCorruptRecord", CORRUPT_RECORD).json(source.path());
    boolean plain = source.options().keySet().stream().allMatch(k -> k.equals("primitivesAsString"))
        && "true".equals(effectiveOptions(source).get("primitivesAsString"));
    if (!plain || spark_.columns().length == 0) {
      return spark_;
    }
    return JsonLinesText.read(spark, source.path(), spark_.schema());
  }

  private static DataFrameReader reader(SparkSession spark, SourceInput source) {
    return spark.read().options(effectiveOptions(source));
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
