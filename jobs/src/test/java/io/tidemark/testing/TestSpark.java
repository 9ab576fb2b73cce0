package io.tidemark.testing;

import io.tidemark.runtime.SparkSessions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;

/**
 * The one SparkSession of the test JVM (Hive/Derby state is JVM-global, and a warm session makes later test
 * classes much faster). Each test class works in its own database and folder through {@link TestStore}.
 */
public final class TestSpark {
  private static SparkSession spark;

  private TestSpark() {}

  public static synchronized SparkSession get() {
    if (spark == null) {
      Path home = target("test-spark");
      deleteRecursively(home);
      spark = builder("local[2]", home).getOrCreate();
      spark.sparkContext().setLogLevel("WARN");
    }
    return spark;
  }

  /**
   * The test session's settings on another master, with its embedded metastore and warehouse under {@code home}:
   * the one recipe of every test session (the cluster flow builds its sessions with it too).
   */
  public static SparkSession.Builder builder(String master, Path home) {
    SparkSession.Builder builder = SparkSession.builder().master(master).appName("tidemark-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.databricks.delta.snapshotPartitions", "2")
        .config("spark.sql.sources.parallelPartitionDiscovery.parallelism", "2");
    SparkSessions.withTidemarkDefaults(builder);
    SparkSessions.withEmbeddedMetastore(builder, home);
    return builder.enableHiveSupport();
  }

  /**
   * A path under the build directory (Maven passes it: target/, or target/spark4/ with -Pspark4), so that the two
   * builds never share test state; target/ when run without Maven.
   */
  public static Path target(String first, String... more) {
    return Path.of(System.getProperty("tidemark.test.target", "target"), first).resolve(Path.of("", more))
        .toAbsolutePath();
  }

  public static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
