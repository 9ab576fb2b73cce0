package io.tidemark.maintenance;

import io.tidemark.offline.OfflineTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaLog;

/** The data files of an offline table as vacuum sees them: qualified paths, and when each counts as deleted. */
final class DataFiles {
  private final SparkSession spark;
  private final OfflineTable table;

  DataFiles(SparkSession spark, OfflineTable table) {
    this.spark = spark;
    this.table = table;
  }

  /** When Delta counts each replaced file as deleted: its tombstone's time (files without one: their own time). */
  Map<String, Instant> deletionTimes() {
    Map<String, Instant> times = new HashMap<>();
    for (Row r : DeltaLog.forTableWithSnapshot(spark, table.location())._2().tombstones().toDF()
        .select("path", "deletionTimestamp").collectAsList()) {
      times.put(qualified(r.getString(0)), Instant.ofEpochMilli(r.getLong(1)));
    }
    return times;
  }

  Instant modificationTime(String file) {
    try {
      Path p = new Path(file);
      return Instant.ofEpochMilli(p.getFileSystem(spark.sparkContext().hadoopConfiguration()).getFileStatus(p)
          .getModificationTime());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the modification time of " + file, e);
    }
  }

  /** A data file's path as one string for comparisons: qualified, relative paths (the log's) under the table. */
  String qualified(String file) {
    try {
      URI uri = new URI(file);
      Path p = uri.isAbsolute() || file.startsWith("/") ? new Path(uri) : new Path(new Path(table.location()),
          new Path(uri));
      FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
      return fs.makeQualified(p).toString();
    } catch (java.net.URISyntaxException | IOException e) {
      throw new IllegalStateException("cannot resolve the data file " + file + " of " + table.tableName(), e);
    }
  }
}
