package io.tidemark.offline;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidemark.Tidemark;
import io.tidemark.testing.Fixtures;
import io.tidemark.testing.TestStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** How offline rows land in files: right-sized per event date, sorted by record id, INT64 timestamps. */
class OfflineLayoutTest {
  /** 40 rows over 3 event dates in one batch: one file per date, rows sorted by id, timestamps INT64 micros. */
  @Test
  void aBatchWritesOneFilePerEventDateSortedByRecordId() throws IOException {
    StringBuilder csv = new StringBuilder("user_id,age,score,active,signup,event_time\n");
    for (int i = 40; i >= 1; i--) {
      csv.append(String.format("u%02d,%d,1.5,true,2024-01-01T00:00:00Z,2024-05-0%dT12:00:00Z%n", i, i, 1 + i % 3));
    }
    TestStore store = new TestStore("layout_small").definition("users.yaml", Fixtures.USERS)
        .write("raw/users.csv", csv.toString());
    Tidemark tm = store.tidemark();
    io.tidemark.ingest.IngestResult ingested = tm.ingest("users").execute();
    assertEquals(List.of(40L, java.util.Optional.of(3L)), List.of(ingested.rowsWritten(), ingested.filesWritten()));
    assertTrue(ingested.summary().contains("read 40, written 40 (3 files), quarantined 0"), ingested.summary());

    Map<String, List<Path>> files = dataFiles(store.path("offline").resolve(store.database).resolve("users"));
    assertEquals(List.of("event_date=2024-05-01", "event_date=2024-05-02", "event_date=2024-05-03"),
        List.copyOf(files.keySet()));
    files.values().forEach(f -> assertEquals(1, f.size(), f.toString()));
    Path may2 = files.get("event_date=2024-05-02").get(0);
    List<String> ids = store.spark().read().parquet(may2.toString()).collectAsList().stream()
        .map(r -> r.<String>getAs("user_id")).toList();
    assertEquals(List.of("u01", "u04", "u07", "u10", "u13", "u16", "u19", "u22", "u25", "u28", "u31", "u34", "u37",
        "u40"), ids);

    // an independent reader (parquet-mr's footer): INT64 microseconds since the epoch, UTC
    try (ParquetFileReader footer = ParquetFileReader.open(HadoopInputFile.fromPath(
        new org.apache.hadoop.fs.Path(may2.toUri()), new Configuration()))) {
      for (String column : List.of("event_time", "signup", "write_time", "api_invocation_time")) {
        PrimitiveType type = footer.getFileMetaData().getSchema().getType(column).asPrimitiveType();
        assertEquals(PrimitiveType.PrimitiveTypeName.INT64, type.getPrimitiveTypeName(), column);
        assertEquals(LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MICROS),
            type.getLogicalTypeAnnotation(), column);
      }
    }
  }

  /**
   * With a target of 64 KiB, a date of 60,000 rows (about a megabyte) read by 8 tasks is split into several files
   * (Spark splits a large partition at the boundaries of the tasks that produced it, so at most 8 here), and a date
   * of 10 rows stays one file; no row is lost or repeated.
   */
  @Test
  void aLargeDateIsSplitAndASmallOneIsNot() throws IOException {
    TestStore project = new TestStore("layout_split").definition("users.yaml", Fixtures.USERS);
    OfflineStore store = new OfflineStore(project.spark(), project.path("offline").toString(), project.database,
        64 << 10, true);
    OfflineTable table = store.forGroup(project.registry().group("users"));
    table.ensureRegistered();
    Dataset<Row> rows = project.spark().range(0, 60_000, 1, 8).select(
        concat(lit("u"), expr("lpad(cast(id * 7919 % 60000 as string), 6, '0')")).as("user_id"),
        col("id").as("age"), expr("cast(id as double) / 3").as("score"), expr("id % 2 = 0").as("active"),
        expr("timestamp'2024-01-01 00:00:00'").as("signup"),
        expr("if(id < 59990, timestamp'2024-05-01 12:00:00', timestamp'2024-05-02 12:00:00')").as("event_time"),
        expr("current_timestamp()").as(MetadataColumns.WRITE_TIME),
        expr("current_timestamp()").as(MetadataColumns.API_INVOCATION_TIME),
        lit(false).as(MetadataColumns.IS_DELETED),
        expr("to_date(if(id < 59990, '2024-05-01', '2024-05-02'))").as(MetadataColumns.EVENT_DATE));

    table.append(rows, "layout-split-test", "{}");

    Map<String, List<Path>> files = dataFiles(project.path("offline").resolve(project.database).resolve("users"));
    long bigBytes = 0;
    for (Path f : files.get("event_date=2024-05-01")) {
      bigBytes += Files.size(f);
    }
    assertTrue(bigBytes > 8 * (64 << 10), bigBytes + " bytes"); // more than 8 targets' worth: every task splits
    int big = files.get("event_date=2024-05-01").size();
    assertTrue(big >= 4 && big <= 8, big + " files, " + bigBytes + " bytes");
    assertEquals(1, files.get("event_date=2024-05-02").size());
    assertEquals(List.of(59_990L, 10L), List.of(
        project.spark().table(table.tableName()).where("event_date = '2024-05-01'").count(),
        project.spark().table(table.tableName()).where("event_date = '2024-05-02'").count()));
    assertEquals(60_000L, project.spark().table(table.tableName()).select("user_id").distinct().count());
  }

  /** The Parquet data files of a table folder, by partition folder, in name order. */
  static Map<String, List<Path>> dataFiles(Path tableDir) throws IOException {
    Map<String, List<Path>> byPartition = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(tableDir)) {
      walk.filter(p -> p.getFileName().toString().endsWith(".parquet") && !p.toString().contains("_delta_log"))
          .sorted().forEach(p -> byPartition.computeIfAbsent(p.getParent().getFileName().toString(),
              k -> new ArrayList<>()).add(p));
    }
    return byPartition;
  }
}
