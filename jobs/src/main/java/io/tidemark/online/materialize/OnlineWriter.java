package io.tidemark.online.materialize;

import static org.apache.spark.sql.functions.col;

import io.tidemark.online.dynamo.OnlineConfig;
import io.tidemark.online.dynamo.DynamoConnection;
import io.tidemark.online.dynamo.ItemSchema;
import io.tidemark.online.dynamo.WriteFence;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the write of a snapshot as one Spark job: {@code tasks} partitions by record id, each written by a
 * {@link PartitionWriter}; logs progress (items written, rate, ETA) as tasks finish.
 */
public final class OnlineWriter {
  private static final Logger LOG = LoggerFactory.getLogger(OnlineWriter.class);
  private static final long LOG_EVERY_MILLIS = 5_000;

  private OnlineWriter() {}

  /** How many write tasks: {@code online.write_tasks}, else 4 per core so progress and retries stay fine-grained. */
  static int tasks(SparkSession spark, OnlineConfig config) {
    return config.writeTasks() > 0 ? config.writeTasks() : 4 * spark.sparkContext().defaultParallelism();
  }

  /** Spreads rows over the write tasks by record id; before an aggregation by id it saves a shuffle. */
  static Dataset<Row> spread(Dataset<Row> rows, String key, int tasks) {
    return rows.repartition(tasks, col(key));
  }

  /**
   * Writes {@code rows} (already spread over the write tasks) and returns the summed stats. Each running task gets
   * an equal share of the write capacity: capacity / min(tasks, cores), so all running tasks together stay
   * within it.
   */
  static WriteStats write(SparkSession spark, Dataset<Row> rows, DynamoConnection connection, String table,
      ItemSchema schema, boolean fresh, OnlineConfig config, WriteFence fence) {
    JavaRDD<Row> rdd = rows.toJavaRDD();
    int partitions = rdd.getNumPartitions();
    double share = capacityShare(config.writeCapacity(), partitions, spark.sparkContext().defaultParallelism());
    WriteJob job = new WriteJob(connection, table, schema, fresh, config.writeConcurrency(), share, fence);
    LongAccumulator items = spark.sparkContext().longAccumulator("tidemark items written to " + table);
    Progress progress = new Progress(schema.group(), table, partitions, items);
    spark.sparkContext().addSparkListener(progress);
    try {
      List<WriteStats> parts = rdd.mapPartitionsWithIndex((index, it) ->
          List.of(new PartitionWriter(job, index, items).write(it)).iterator(), false).collect();
      return parts.stream().reduce(WriteStats.ZERO, WriteStats::plus);
    } finally {
      spark.sparkContext().removeSparkListener(progress);
    }
  }

  /** Write units per second of one task: the capacity split over the tasks that can run at once (0: no limit). */
  public static double capacityShare(long capacity, int tasks, int parallelism) {
    return capacity > 0 ? (double) capacity / Math.max(1, Math.min(tasks, parallelism)) : 0;
  }

  /** Logs, at most every few seconds, how far the write job is, from its finished tasks. */
  private static final class Progress extends SparkListener {
    private final String group;
    private final String table;
    private final int tasks;
    private final LongAccumulator items;
    private final long start = System.currentTimeMillis();
    private final AtomicInteger done = new AtomicInteger();
    private final AtomicLong written = new AtomicLong();
    private volatile long lastLog = start;

    Progress(String group, String table, int tasks, LongAccumulator items) {
      this.group = group;
      this.table = table;
      this.tasks = tasks;
      this.items = items;
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
      // the task's own update of the accumulator: the driver's value is merged only after this event
      long update = 0;
      boolean ours = false;
      // a Scala iterator: the same code on Scala 2.12 and 2.13 (JavaConverters is deprecated in 2.13)
      scala.collection.Iterator<AccumulableInfo> it = end.taskInfo().accumulables().iterator();
      while (it.hasNext()) {
        AccumulableInfo a = it.next();
        if (a.id() == items.id()) {
          ours = true;
          update = a.update().isDefined() ? ((Number) a.update().get()).longValue() : 0;
        }
      }
      if (!ours || !end.taskInfo().successful()) {
        return;
      }
      long written = this.written.addAndGet(update);
      int n = done.incrementAndGet();
      long now = System.currentTimeMillis();
      if (n == tasks || now - lastLog >= LOG_EVERY_MILLIS) {
        lastLog = now;
        double secs = Math.max(0.001, (now - start) / 1000.0);
        long eta = Math.round(secs * (tasks - n) / n);
        LOG.info("materialize {} -> {}: {}/{} tasks done, {} items written or deleted, {}/s, ETA {}s", group, table, n, tasks,
            written, Math.round(written / secs), eta);
      }
    }
  }
}
