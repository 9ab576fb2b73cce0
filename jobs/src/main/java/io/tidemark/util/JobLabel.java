package io.tidemark.util;

import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * Labels the Spark jobs run inside a block with a job group and description, so the Spark UI reads like a log:
 * {@code try (JobLabel l = JobLabel.start(spark, "ingest", "users: write offline table")) { ... }}.
 */
public final class JobLabel implements AutoCloseable {
  private final SparkContext sc;
  private final String previousGroup;
  private final String previousDescription;

  private JobLabel(SparkContext sc, String group, String description) {
    this.sc = sc;
    this.previousGroup = sc.getLocalProperty("spark.jobGroup.id");
    this.previousDescription = sc.getLocalProperty("spark.job.description");
    sc.setJobGroup(group, description, false);
  }

  public static JobLabel start(SparkSession spark, String action, String description) {
    return new JobLabel(spark.sparkContext(), "tidemark-" + action, action + ": " + description);
  }

  /** Changes the description of the jobs that follow, inside the same group. */
  public void step(String description) {
    sc.setJobDescription(description);
  }

  @Override
  public void close() {
    if (previousGroup == null) {
      sc.clearJobGroup();
    } else {
      sc.setJobGroup(previousGroup, previousDescription, false);
    }
  }
}
