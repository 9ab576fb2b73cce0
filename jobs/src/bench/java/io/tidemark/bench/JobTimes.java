package io.tidemark.bench;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.SparkSession;

/**
 * Where a benchmark's time goes: Spark job wall time summed by job description (Tidemark labels its jobs with
 * {@code JobLabel}), so a ratio can be explained phase by phase. Time between jobs (driver work: metastore,
 * Delta log, listing) is what a phase total leaves out of the run's time.
 */
final class JobTimes extends SparkListener {
  private final Map<Integer, long[]> started = new ConcurrentHashMap<>();
  private final Map<Integer, String> descriptions = new ConcurrentHashMap<>();
  private final Map<String, Double> seconds = new LinkedHashMap<>();
  private final Map<String, Integer> jobs = new LinkedHashMap<>();

  static JobTimes attach(SparkSession spark) {
    JobTimes t = new JobTimes();
    spark.sparkContext().addSparkListener(t);
    return t;
  }

  @Override
  public void onJobStart(SparkListenerJobStart start) {
    started.put(start.jobId(), new long[] {start.time()});
    String d = start.properties() == null ? null : start.properties().getProperty("spark.job.description");
    descriptions.put(start.jobId(), d == null ? "(unlabelled)" : d.replaceAll("\\d{3,}", "N"));
  }

  @Override
  public synchronized void onJobEnd(SparkListenerJobEnd end) {
    long[] s = started.remove(end.jobId());
    String d = descriptions.remove(end.jobId());
    if (s != null) {
      seconds.merge(d, (end.time() - s[0]) / 1e3, Double::sum);
      jobs.merge(d, 1, Integer::sum);
    }
  }

  synchronized void reset() {
    seconds.clear();
    jobs.clear();
  }

  /** Prints each description's jobs and seconds, largest first, and their total. */
  synchronized void print(String title) {
    System.out.println(title + " (Spark job wall time by description):");
    double total = 0;
    for (Map.Entry<String, Double> e : seconds.entrySet().stream()
        .sorted(Map.Entry.<String, Double>comparingByValue().reversed()).toList()) {
      System.out.printf(Locale.ROOT, "  %7.2f s  %3d jobs  %s%n", e.getValue(), jobs.get(e.getKey()), e.getKey());
      total += e.getValue();
    }
    System.out.printf(Locale.ROOT, "  %7.2f s  total in jobs%n", total);
  }
}
