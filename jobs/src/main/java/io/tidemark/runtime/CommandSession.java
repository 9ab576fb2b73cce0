package io.tidemark.runtime;

import io.tidemark.config.TidemarkConfig;
import java.util.function.Consumer;
import org.apache.spark.sql.SparkSession;

/**
 * The Spark session of one command: either the embedding program's (tests, notebooks), used and never stopped, or
 * one started for the command ({@link SparkSessions#forCli}) behind the home's lock when the metastore is embedded.
 * Closing stops only a session this started, then releases the lock.
 */
public final class CommandSession implements AutoCloseable {
  private final SparkSession spark;
  private final boolean started;
  private final HomeLock homeLock;

  private CommandSession(SparkSession spark, boolean started, HomeLock homeLock) {
    this.spark = spark;
    this.started = started;
    this.homeLock = homeLock;
  }

  /** A session the caller owns: {@link #close} leaves it running. */
  public static CommandSession provided(SparkSession spark) {
    return new CommandSession(spark, false, null);
  }

  /**
   * Takes the home's lock (embedded metastore only), then starts the session.
   *
   * @param progress told when waiting for the lock and when Spark starts
   */
  public static CommandSession start(TidemarkConfig config, Consumer<String> progress) {
    HomeLock lock = config.embeddedMetastore() ? HomeLock.acquire(config.home(), config.lockWait(), progress) : null;
    try {
      progress.accept("starting Spark (home " + config.home() + ")");
      return new CommandSession(SparkSessions.forCli(config), true, lock);
    } catch (RuntimeException | Error e) {
      if (lock != null) {
        lock.close();
      }
      throw e;
    }
  }

  public SparkSession spark() {
    return spark;
  }

  @Override
  public void close() {
    try {
      if (started) {
        spark.stop();
      }
    } finally {
      if (homeLock != null) {
        homeLock.close();
      }
    }
  }
}
