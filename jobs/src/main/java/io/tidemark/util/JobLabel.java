package io.tidemark.util;

import java.util.Locale;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Labels the Spark jobs run inside a block with a job group and description, so the Spark UI reads like a log:
 * {@code try (JobLabel l = JobLabel.start(spark, "ingest", "users: write offline table")) { ... }}. Each step's
 * wall time (its Spark jobs and the driver's work between them) is logged at INFO to {@code io.tidemark.phases},
 * so a slow run can be read phase by phase.
 */
public final class JobLabel implements AutoCloseable {
  /** Where step times go (at INFO; the launcher's logging shows them with {@code --verbose}). */
  public static final String PHASES_LOGGER = "io.tidemark.phases";

  private static final Logger PHASES = LoggerFactory.getLogger(PHASES_LOGGER);

  private final SparkContext sc;
  private final String previousGroup;
  private final String previousDescription;
  private String step;
  private long stepStarted = System.nanoTime();

  private JobLabel(SparkContext sc, String group, String description) {
    this.sc = sc;
    this.previousGroup = sc.getLocalProperty("spark.jobGroup.id");
    this.previousDescription = sc.getLocalProperty("spark.job.description");
    this.step = description;
    sc.setJobGroup(group, description, false);
  }

  public static JobLabel start(SparkSession spark, String action, String description) {
    return new JobLabel(spark.sparkContext(), "tidemark-" + action, action + ": " + description);
  }

  /** Changes the description of the jobs that follow, inside the same group. */
  public void step(String description) {
    logStep();
    step = description;
    sc.setJobDescription(description);
  }

  @Override
  public void close() {
    logStep();
    if (previousGroup == null) {
      sc.clearJobGroup();
    } else {
      sc.setJobGroup(previousGroup, previousDescription, false);
    }
  }

  private void logStep() {
    long now = System.nanoTime();
    if (PHASES.isInfoEnabled()) {
      PHASES.info(String.format(Locale.ROOT, "%.2f s  %s", (now - stepStarted) / 1e9, step));
    }
    stepStarted = now;
  }
}
