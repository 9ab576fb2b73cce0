package io.tidemark.testing;

import io.tidemark.Tidemark;
import io.tidemark.config.TidemarkConfig;
import io.tidemark.definitions.FeatureRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.sql.SparkSession;

/**
 * A private Tidemark project for one test: its own folder (definitions, sql, raw data, offline root) and its own
 * catalog database, on the shared test SparkSession.
 */
public final class TestStore {
  private static final AtomicInteger COUNTER = new AtomicInteger();

  public final Path dir;
  public final String database;
  public final TidemarkConfig config;

  public TestStore(String name) {
    int n = COUNTER.incrementAndGet();
    this.database = "t_" + name.toLowerCase().replaceAll("[^a-z0-9]", "_") + "_" + n;
    this.dir = TestSpark.target("test-projects", database);
    TestSpark.deleteRecursively(dir);
    mkdirs(dir.resolve("feature-definitions"));
    mkdirs(dir.resolve("sql"));
    mkdirs(dir.resolve("raw"));
    this.config = TidemarkConfig.forHome(dir.resolve("home"), Map.of(
        "offline.root", dir.resolve("offline").toString(),
        "catalog.database", database,
        "variables.raw_root", dir.resolve("raw").toString()));
  }

  public SparkSession spark() {
    return TestSpark.get();
  }

  /** Writes {@code feature-definitions/<file>}. */
  public TestStore definition(String file, String yaml) {
    return write("feature-definitions/" + file, yaml);
  }

  public TestStore write(String relative, String text) {
    Path p = dir.resolve(relative);
    mkdirs(p.getParent());
    try {
      Files.writeString(p, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  public Path path(String relative) {
    return dir.resolve(relative);
  }

  public FeatureRegistry registry() {
    return FeatureRegistry.load(dir.resolve("feature-definitions"), dir, config.variables());
  }

  public Tidemark tidemark() {
    return Tidemark.create(spark(), config, registry());
  }

  private static void mkdirs(Path p) {
    try {
      Files.createDirectories(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
