package io.tidemark.training;

import static org.apache.spark.sql.functions.col;

import io.tidemark.definitions.SourceFormat;
import io.tidemark.source.SourceReader;
import io.tidemark.util.Sql;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.TimestampNTZType;

/**
 * A training set's spine as read (a file or a catalog table), checked against the request: its time column, join
 * keys and label exist, and no feature column would shadow one of its columns.
 */
final class SpineRows {
  /** The spine time as a timestamp, next to the spine's own (unchanged) columns while joining. */
  static final String SPINE_TIME = "_tidemark_spine_time";

  private final TrainingSetRequest request;
  private final Dataset<Row> raw;
  private final Dataset<Row> timed;

  private SpineRows(TrainingSetRequest request, Dataset<Row> raw) {
    this.request = request;
    this.raw = raw;
    this.timed = raw.withColumn(SPINE_TIME, spineTime(raw));
  }

  static SpineRows read(SparkSession spark, TrainingSetRequest request, List<RequestedGroup> groups) {
    Dataset<Row> raw;
    if (request.spineTable().isPresent()) {
      String table = request.spineTable().get();
      if (!spark.catalog().tableExists(table)) {
        throw new IllegalArgumentException("spine table " + table + " does not exist in the catalog");
      }
      raw = spark.table(table);
    } else {
      raw = SourceReader.read(spark, request.spineFile().get().primary(), "spine",
          "check --spine PATH and --spine-format, or read the spine from the catalog with --spine-table DB.TABLE");
    }
    checkColumns(request, raw, groups);
    return new SpineRows(request, raw);
  }

  /** Profiles the spine in one pass, refusing bad values (see {@link SpineProfile}). */
  SpineProfile profile(List<RequestedGroup> groups) {
    return SpineProfile.of(raw, timed, request.spineTimeColumn(), groups, request.spineName());
  }

  /**
   * The rows the join reads: with {@link #SPINE_TIME}; a CSV spine's text columns typed ({@link SpineTypes}), its
   * join keys kept as written.
   */
  Dataset<Row> joinable(List<RequestedGroup> groups) {
    Dataset<Row> typed = timed;
    if (request.spineFile().isPresent() && request.spineFile().get().format() == SourceFormat.CSV) {
      Set<String> keys = new HashSet<>(List.of(SourceReader.CORRUPT_RECORD));
      groups.forEach(g -> keys.add(g.joinKey()));
      typed = SpineTypes.infer(timed, keys);
    }
    return typed.drop(SourceReader.CORRUPT_RECORD);
  }

  private static void checkColumns(TrainingSetRequest request, Dataset<Row> raw, List<RequestedGroup> groups) {
    String spine = request.spineName();
    List<String> cols = Arrays.stream(raw.columns()).filter(c -> !c.equals(SourceReader.CORRUPT_RECORD)).toList();
    if (!cols.contains(request.spineTimeColumn())) {
      throw new IllegalArgumentException(spine + " has no time column '" + request.spineTimeColumn()
          + "'; its columns: " + String.join(", ", cols));
    }
    for (RequestedGroup g : groups) {
      if (!cols.contains(g.joinKey())) {
        throw new IllegalArgumentException(spine + " has no column '" + g.joinKey() + "' to join group '"
            + g.name() + "' on (its record identifier is " + g.group().recordIdentifier() + "); add it, "
            + "or map a spine column with --join-key " + g.name() + "=COLUMN. Spine columns: "
            + String.join(", ", cols));
      }
      for (String n : g.outputNames()) {
        if (cols.contains(n)) {
          throw new IllegalArgumentException("feature column '" + n + "' of group '" + g.name()
              + "' collides with the spine column '" + n + "'; pass --prefix-features to name feature columns "
              + "<group>__<feature>, or rename the spine column");
        }
      }
    }
    request.label().ifPresent(l -> {
      if (!cols.contains(l)) {
        throw new IllegalArgumentException(spine + " has no label column '" + l + "'; its columns: "
            + String.join(", ", cols));
      }
    });
    if (cols.contains(SPINE_TIME)) {
      throw new IllegalArgumentException(spine + " has a column named " + SPINE_TIME + ", which Tidemark "
          + "uses while joining; rename it");
    }
  }

  /** The spine time as a UTC timestamp; text is read as ISO-8601 (a missing zone means UTC). */
  private Column spineTime(Dataset<Row> spine) {
    String column = request.spineTimeColumn();
    DataType t = spine.schema().apply(column).dataType();
    Column c = col(Sql.quote(column));
    if (t.equals(DataTypes.TimestampType)) {
      return c;
    }
    if (t.equals(DataTypes.StringType) || t.equals(DataTypes.DateType) || t instanceof TimestampNTZType) {
      return c.cast(DataTypes.TimestampType);
    }
    throw new IllegalArgumentException("spine time column '" + column + "' of " + request.spineName() + " is "
        + t.simpleString() + "; it must be a timestamp, a date or ISO-8601 text like 2024-03-01T10:00:00Z");
  }
}
