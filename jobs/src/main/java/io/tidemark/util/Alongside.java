package io.tidemark.util;

import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A side job of an action run in a thread of its own, alongside the action's main work: a short job's Spark jobs
 * spend most of their time waiting (planning, file system and log round trips), so two overlap well. The thread
 * inherits the action's job group (Spark's local properties are inherited by new threads) and labels its jobs with
 * its own description; its wall time is logged with the phases ({@link JobLabel#PHASES_LOGGER}).
 */
public final class Alongside implements AutoCloseable {
  private static final Logger PHASES = LoggerFactory.getLogger(JobLabel.PHASES_LOGGER);

  private final CompletableFuture<Void> done = new CompletableFuture<>();

  private Alongside(SparkSession spark, String description, Runnable work) {
    Thread t = new Thread(() -> {
      long start = System.nanoTime();
      try {
        spark.sparkContext().setJobDescription(description);
        work.run();
        PHASES.info(String.format(Locale.ROOT, "%.2f s  %s (alongside)", (System.nanoTime() - start) / 1e9,
            description));
        done.complete(null);
      } catch (Throwable e) {
        done.completeExceptionally(e);
      }
    }, "tidemark-alongside");
    t.setDaemon(true);
    t.start();
  }

  /** Starts {@code work} now. */
  public static Alongside start(SparkSession spark, String description, Runnable work) {
    return new Alongside(spark, description, work);
  }

  /** Waits for the side job; rethrows its failure. */
  public void join() {
    try {
      done.join();
    } catch (CompletionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(cause);
    }
  }

  /** Waits for the side job, whatever its outcome (after the main work failed: nothing runs on unawaited). */
  @Override
  public void close() {
    try {
      done.join();
    } catch (CompletionException e) {
      // the main work's failure is the one reported
    }
  }
}
