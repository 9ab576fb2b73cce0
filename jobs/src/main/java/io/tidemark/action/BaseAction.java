package io.tidemark.action;

import io.tidemark.util.JobLabel;
import org.apache.spark.sql.SparkSession;

/**
 * What every action shares: its session, and one job group around everything {@link #execute()} runs, named
 * {@code tidemark-<name>} and described by {@link #description()}, so the Spark UI reads like a log of actions. The
 * action's steps re-describe the jobs that follow through the {@link JobLabel} it is given.
 */
public abstract class BaseAction<ThisT extends BaseAction<ThisT, R>, R> implements Action<ThisT, R> {
  /** The session the action runs in (given, never built here). */
  protected final SparkSession spark;

  protected BaseAction(SparkSession spark) {
    this.spark = spark;
  }

  /** Refuses a run that cannot start (a missing or contradictory setting), before any Spark job; none by default. */
  protected void check() {}

  /** The action's name in job groups and logs, e.g. {@code materialize}. */
  protected abstract String name();

  /** What this run does, e.g. {@code users -> DynamoDB}; called once, after {@link #check}, before {@link #run}. */
  protected abstract String description();

  /** The action's work, inside its job group. */
  protected abstract R run(JobLabel label);

  @Override
  public final R execute() {
    check();
    try (JobLabel label = JobLabel.start(spark, name(), description())) {
      return run(label);
    }
  }
}
