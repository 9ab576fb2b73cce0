package io.tidemark.offline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.delta.tables.DeltaTable;
import io.tidemark.testing.TestSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** The newest commit read straight from the log agrees with Delta's own {@code history(1)}, commit by commit. */
class DeltaCommitLogTest {
  private final SparkSession spark = TestSpark.get();
  private final Configuration hadoop = spark.sparkContext().hadoopConfiguration();

  @Test
  void newestCommitIsWhatDeltaHistoryReports() {
    Path dir = TestSpark.target("delta-commit-log", "table");
    TestSpark.deleteRecursively(dir);
    String location = dir.toString();
    assertEquals(Optional.empty(), DeltaCommitLog.newest(location, hadoop), "no table yet");

    spark.range(3).selectExpr("id", "id % 2 AS part").write().format("delta").partitionBy("part").save(location);
    assertSameAsHistory(location, 0, "WRITE");
    spark.range(3, 5).selectExpr("id", "id % 2 AS part").write().format("delta").mode("append")
        .option("userMetadata", "{\"tidemark_batch\":\"b1\"}").save(location);
    OfflineTable.Commit append = assertSameAsHistory(location, 1, "WRITE");
    assertEquals(Optional.of(2L), append.filesAdded(), "two partitions, one file each");
    DeltaTable.forPath(spark, location).delete("id = 4");
    assertSameAsHistory(location, 2, "DELETE");
  }

  @Test
  void aCommitWithoutProvenanceStillHasItsVersionAndFileTime() throws Exception {
    Path dir = TestSpark.target("delta-commit-log", "bare");
    TestSpark.deleteRecursively(dir);
    Path commit = dir.resolve("_delta_log/00000000000000000000.json");
    Files.createDirectories(commit.getParent());
    Files.writeString(commit, "{\"protocol\":{\"minReaderVersion\":1,\"minWriterVersion\":2}}\n");
    Files.writeString(dir.resolve("_delta_log/00000000000000000000.crc"), "{}");
    OfflineTable.Commit c = DeltaCommitLog.newest(dir.toString(), hadoop).orElseThrow();
    Instant fileTime = Instant.ofEpochMilli(Files.getLastModifiedTime(commit).toMillis());
    assertEquals(new OfflineTable.Commit(0, fileTime, "", Map.of()), c);
  }

  private OfflineTable.Commit assertSameAsHistory(String location, long version, String operation) {
    Row h = DeltaTable.forPath(spark, location).history(1)
        .select("version", "timestamp", "operation", "operationMetrics").first();
    OfflineTable.Commit fromLog = DeltaCommitLog.newest(location, hadoop).orElseThrow();
    Map<String, String> metrics = h.getJavaMap(3);
    assertEquals(new OfflineTable.Commit(h.getLong(0), h.getTimestamp(1).toInstant(), h.getString(2),
        Map.copyOf(metrics)), fromLog);
    assertEquals(version, fromLog.version());
    assertEquals(operation, fromLog.operation());
    assertTrue(fromLog.time().isAfter(Instant.parse("2020-01-01T00:00:00Z")), fromLog.time().toString());
    return fromLog;
  }
}
