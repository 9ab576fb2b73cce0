package io.tidemark.bench;

import io.tidemark.runtime.SparkSessions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;

/** A benchmark's own Tidemark home (under $TIDEMARK_HOME), its definitions, and a session built like the CLI's. */
final class BenchHome {
  /** The benchmarks' group: an item with one feature of each scalar type; {@code extra} adds YAML lines. */
  static final String ITEMS = """
      name: items
      description: benchmark items
      owner: bench
      record_identifier: item_id
      event_time: event_time
      features:
        - {name: item_id, type: String}
        - {name: quantity, type: Integral}
        - {name: price, type: Fractional}
        - {name: category, type: String}
        - {name: active, type: Boolean}
      """;

  final Path dir;

  private BenchHome(Path dir) {
    this.dir = dir;
  }

  /** A new folder {@code <name>-<millis>} with an empty feature-definitions/. */
  static BenchHome create(String name) throws IOException {
    Path dir = Path.of(System.getenv().getOrDefault("TIDEMARK_HOME", "jobs/target/bench-home"))
        .resolve(name + "-" + System.currentTimeMillis()).toAbsolutePath();
    Files.createDirectories(dir.resolve("feature-definitions"));
    return new BenchHome(dir);
  }

  /** Writes feature-definitions/{@code group}.yaml: {@link #ITEMS} renamed, then {@code moreLines}. */
  BenchHome items(String group, String moreLines) throws IOException {
    Files.writeString(dir.resolve("feature-definitions/" + group + ".yaml"),
        ITEMS.replace("name: items", "name: " + group) + moreLines);
    return this;
  }

  Path definitions() {
    return dir.resolve("feature-definitions");
  }

  /** local[*] with Tidemark's defaults and an embedded metastore in this home. */
  SparkSession spark(String appName) {
    SparkSession.Builder builder = SparkSession.builder().master("local[*]").appName(appName)
        .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1");
    SparkSessions.withTidemarkDefaults(builder);
    SparkSessions.withLocalDefaults(builder);
    SparkSessions.withEmbeddedMetastore(builder, dir);
    SparkSession spark = builder.enableHiveSupport().getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    return spark;
  }
}
