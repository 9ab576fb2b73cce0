package io.tidemark.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.to_date;

import io.tidemark.Tidemark;
import io.tidemark.config.TidemarkConfig;
import io.tidemark.definitions.FeatureRegistry;
import io.tidemark.definitions.SourceFormat;
import io.tidemark.ingest.IngestResult;
import io.tidemark.offline.OfflineStore;
import io.tidemark.training.OutputFormat;
import io.tidemark.training.TrainingSetResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * {@code ./bench ingest [--rows 2000000] [--dates 30] [--ids 100000] [--zipf 0] [--runs 3] [--spine-rows 100000]
 * [--scale 1,2,4] [--scale-rows N]}:
 * Tidemark's whole ingest (read, validate, quarantine check, metadata columns, right-sized Delta files, data
 * quality record, ledger) of N raw rows over D event dates, against the floor a user would write by hand on the
 * same rows in the same run: {@code spark.read.parquet(raw).withColumn("event_date", ...)
 * .write.mode(append).partitionBy("event_date").parquet(out)}. Like a daily job, each run appends a new input to
 * tables that exist: an untimed warm-up of each creates them (Tidemark's first-ingest time is printed), then the runs
 * alternate; a third variant writes the same layout by hand (REBALANCE by date, sort, Delta append, without
 * validation or bookkeeping), separating what the layout costs from what Tidemark adds;
 * min and median are printed, with the data files each wrote, and the time of a point-in-time training set read
 * from Tidemark's table. --zipf S gives the event dates a Zipf-like skew (0 = uniform). Last line:
 * {@code ingest-bench: tidemark/plain=<x> tidemark/same-layout=<y> files tidemark=<a> plain=<b> rows=<n> dates=<d> training-set=<s>s
 * scale(tidemark, 1x=<m> rows) t2x/t1x=<r> t4x/t2x=<q>}. The scale curve (skipped by {@code --scale 1}) appends, like
 * the runs above, new inputs of 1x, 2x and 4x {@code --scale-rows} rows (default a quarter of --rows), each factor
 * into tables of its own (created by an untimed first ingest), Tidemark and the plain write alternating.
 */
public final class IngestBench {

  private IngestBench() {}

  public static void main(String[] args) throws Exception {
    long rows = 2_000_000;
    int dates = 30;
    long ids = 100_000;
    double zipf = 0;
    int runs = 3;
    long spineRows = 100_000;
    List<Integer> scale = List.of(1, 2, 4);
    long scaleRows = -1;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--rows" -> rows = Long.parseLong(args[++i]);
        case "--dates" -> dates = Integer.parseInt(args[++i]);
        case "--ids" -> ids = Long.parseLong(args[++i]);
        case "--zipf" -> zipf = Double.parseDouble(args[++i]);
        case "--runs" -> runs = Integer.parseInt(args[++i]);
        case "--spine-rows" -> spineRows = Long.parseLong(args[++i]);
        case "--scale" -> scale = java.util.Arrays.stream(args[++i].split(",")).map(String::trim)
            .map(Integer::parseInt).toList();
        case "--scale-rows" -> scaleRows = Long.parseLong(args[++i]);
        default -> throw new IllegalArgumentException("usage: ./bench ingest [--rows N] [--dates D] [--ids K] "
            + "[--zipf S] [--runs R] [--spine-rows M] [--scale 1,2,4] [--scale-rows N]");
      }
    }
    if (scale.get(0) != 1) {
      throw new IllegalArgumentException("--scale starts with 1 (1x = --scale-rows); --scale 1 skips the curve");
    }
    scaleRows = scaleRows > 0 ? scaleRows : rows / 4;
    String eventTime = "  - {name: event_time, type: Timestamp}\n";
    BenchHome bench = BenchHome.create("ingest").items("items", eventTime);
    for (int f : scale.size() > 1 ? scale : List.<Integer>of()) {
      bench.items("items_x" + f, eventTime);
    }
    Path home = bench.dir;
    SparkSession spark = bench.spark("ingest-bench");
    FeatureRegistry registry = FeatureRegistry.load(bench.definitions(), Map.of());

    // raw rows: item ids drawn over K ids, event dates uniform or Zipf-skewed over D days; one input per run (and
    // one for the warm-up), as a daily ingest appends new rows to tables that exist
    String day = zipf == 0 ? "floor(rand(7) * " + dates + ")"
        : "least(" + (dates - 1) + ", floor(pow(rand(7), " + (1 + zipf) + ") * " + dates + "))";
    List<Path> raws = new ArrayList<>();
    for (int r = 0; r <= runs; r++) {
      raws.add(writeRaw(spark, home.resolve("raw" + r), rows, ids, day, 100 * r));
    }
    System.out.printf(Locale.ROOT, "ingest-bench: %,d rows over %d event dates (%s), %,d ids, %d cores, raw "
        + "Parquet %s (one input per run)%n", rows, dates, zipf == 0 ? "uniform" : "zipf " + zipf, ids,
        spark.sparkContext().defaultParallelism(), home);

    Path plainOut = home.resolve("plain");
    java.util.function.Consumer<Path> plainRun = plainAppend(spark, plainOut);
    // untimed warm-up of both (JIT, codegen, the metastore), which also creates the tables the runs append to
    Tidemark tm = tidemark(spark, home, registry, "bench");
    long w0 = System.nanoTime();
    tm.ingest("items").source(raws.get(0).toString(), SourceFormat.PARQUET).execute();
    System.out.printf(Locale.ROOT, "warm-up: tidemark's first ingest (creates its tables) %.2f s%n",
        (System.nanoTime() - w0) / 1e9);
    plainRun.accept(raws.get(0));
    // the same layout without Tidemark (no validation, quality record or ledger): what one file per date costs
    Path layoutOut = home.resolve("laid-out");
    java.util.function.Consumer<Path> layoutRun = raw -> spark.read().parquet(raw.toString())
        .withColumn("event_date", to_date(col("event_time")))
        .hint("rebalance", org.apache.spark.sql.catalyst.analysis.UnresolvedAttribute.quoted("event_date"))
        .sortWithinPartitions("event_date", "item_id", "event_time")
        .write().format("delta").mode(SaveMode.Append).partitionBy("event_date").save(layoutOut.toString());
    OfflineStore layoutStore = new OfflineStore(spark, home.toString(), "bench", OfflineStore.DEFAULT_TARGET_FILE_BYTES,
        true);
    layoutStore.withTargetFileSize(() -> layoutRun.accept(raws.get(0)));

    JobTimes jobTimes = JobTimes.attach(spark);
    org.apache.logging.log4j.core.config.Configurator.setLevel(io.tidemark.util.JobLabel.PHASES_LOGGER,
        org.apache.logging.log4j.Level.INFO);
    List<Double> tidemarkSeconds = new ArrayList<>();
    List<Double> plainSeconds = new ArrayList<>();
    List<Double> layoutSeconds = new ArrayList<>();
    IngestResult last = null;
    long plainFilesBefore = 0;
    long plainFilesLast = 0;
    for (int r = 1; r <= runs; r++) {
      jobTimes.reset();
      long t0 = System.nanoTime();
      last = tm.ingest("items").source(raws.get(r).toString(), SourceFormat.PARQUET).execute();
      tidemarkSeconds.add((System.nanoTime() - t0) / 1e9);
      if (r == runs) {
        jobTimes.print(String.format(Locale.ROOT, "tidemark run %d: %.2f s", r, tidemarkSeconds.get(r - 1)));
      }
      plainFilesBefore = dataFiles(plainOut);
      long t1 = System.nanoTime();
      plainRun.accept(raws.get(r));
      plainSeconds.add((System.nanoTime() - t1) / 1e9);
      plainFilesLast = dataFiles(plainOut) - plainFilesBefore;
      Path layoutInput = raws.get(r);
      long t3 = System.nanoTime();
      layoutStore.withTargetFileSize(() -> layoutRun.accept(layoutInput));
      layoutSeconds.add((System.nanoTime() - t3) / 1e9);
      System.out.printf(Locale.ROOT, "run %d: tidemark %.2f s, plain %.2f s, same layout %.2f s%n", r,
          tidemarkSeconds.get(r - 1), plainSeconds.get(r - 1), layoutSeconds.get(r - 1));
    }
    System.out.println("tidemark: " + last.summary());
    long tidemarkFiles = last.filesWritten().orElse(-1L);
    long plainFiles = plainFilesLast;

    // a point-in-time training set read from Tidemark's table: spine rows over the same ids and dates
    Path spine = home.resolve("spine");
    spark.range(0, spineRows, 1, 4).select(
            expr("concat('i', lpad(cast(floor(rand(13) * " + ids + ") as string), 7, '0'))").as("item_id"),
            expr("timestamp_seconds(1714521600 + cast(rand(17) * " + dates + " * 86400 as bigint))").as("ts"))
        .write().mode(SaveMode.Overwrite).parquet(spine.toString());
    jobTimes.reset();
    long t2 = System.nanoTime();
    TrainingSetResult set = tm.trainingSet().spine(spine.toString(), SourceFormat.PARQUET).spineTimeColumn("ts")
        .features("items:*").output(home.resolve("training").toString(), OutputFormat.PARQUET).overwrite(true)
        .execute();
    double trainingSeconds = (System.nanoTime() - t2) / 1e9;
    jobTimes.print(String.format(Locale.ROOT, "training set: %.2f s", trainingSeconds));

    // scale curve: the same daily append with 1x, 2x, 4x input rows, each factor into its own tables (an untimed
    // first ingest creates them), tidemark and the plain write alternating
    org.apache.logging.log4j.core.config.Configurator.setLevel(io.tidemark.util.JobLabel.PHASES_LOGGER,
        org.apache.logging.log4j.Level.WARN);
    StringBuilder curve = new StringBuilder();
    double[] previous = null;
    int previousFactor = 0;
    for (int f : scale.size() > 1 ? scale : List.<Integer>of()) {
      long n = scaleRows * f;
      List<Path> inputs = new ArrayList<>();
      for (int r = 0; r <= runs; r++) {
        inputs.add(writeRaw(spark, home.resolve("scale" + f + "x-raw" + r), n, ids, day, 10_000 * f + 100 * r));
      }
      java.util.function.Consumer<Path> plain = plainAppend(spark, home.resolve("plain-x" + f));
      tm.ingest("items_x" + f).source(inputs.get(0).toString(), SourceFormat.PARQUET).execute();
      plain.accept(inputs.get(0));
      List<Double> t = new ArrayList<>();
      List<Double> p = new ArrayList<>();
      for (int r = 1; r <= runs; r++) {
        long s0 = System.nanoTime();
        tm.ingest("items_x" + f).source(inputs.get(r).toString(), SourceFormat.PARQUET).execute();
        t.add((System.nanoTime() - s0) / 1e9);
        long s1 = System.nanoTime();
        plain.accept(inputs.get(r));
        p.add((System.nanoTime() - s1) / 1e9);
      }
      double[] medians = {Stats.median(t), Stats.median(p)};
      System.out.printf(Locale.ROOT, "scale %dx (%,d rows): tidemark min %.2f s, median %.2f s %s; plain min %.2f s, "
          + "median %.2f s %s%n", f, n, Stats.min(t), medians[0], Stats.format(t), Stats.min(p), medians[1],
          Stats.format(p));
      if (previous != null) {
        System.out.printf(Locale.ROOT, "scale %dx over the previous: tidemark %.2f, plain %.2f%n", f,
            medians[0] / previous[0], medians[1] / previous[1]);
        curve.append(String.format(Locale.ROOT, " t%dx/t%dx=%.2f", f, previousFactor, medians[0] / previous[0]));
      }
      previous = medians;
      previousFactor = f;
    }

    double ratio = Stats.median(tidemarkSeconds) / Stats.median(plainSeconds);
    double layoutRatio = Stats.median(tidemarkSeconds) / Stats.median(layoutSeconds);
    System.out.printf(Locale.ROOT, "tidemark ingest: min %.2f s, median %.2f s %s%n",
        Stats.min(tidemarkSeconds), Stats.median(tidemarkSeconds), Stats.format(tidemarkSeconds));
    System.out.printf(Locale.ROOT, "plain partitionBy write: min %.2f s, median %.2f s %s%n",
        Stats.min(plainSeconds), Stats.median(plainSeconds), Stats.format(plainSeconds));
    System.out.printf(Locale.ROOT, "same layout by hand (rebalance by date, sort, Delta): min %.2f s, median %.2f s "
        + "%s%n", Stats.min(layoutSeconds), Stats.median(layoutSeconds), Stats.format(layoutSeconds));
    System.out.printf(Locale.ROOT, "data files written by the last run: tidemark %d, plain %d (%d event dates)%n",
        tidemarkFiles,
        plainFiles, dates);
    System.out.printf(Locale.ROOT, "training set on tidemark's table: %,d spine rows in %.2f s (%s)%n", spineRows,
        trainingSeconds, set.summary());
    System.out.printf(Locale.ROOT, "ingest-bench: tidemark/plain=%.2f tidemark/same-layout=%.2f files tidemark=%d "
        + "plain=%d rows=%d dates=%d training-set=%.1fs%s%n", ratio, layoutRatio, tidemarkFiles, plainFiles, rows, dates,
        trainingSeconds, curve.length() == 0 ? "" : " scale(tidemark, 1x=" + scaleRows + " rows)" + curve);
    spark.stop();
  }

  /** The floor a user would write by hand: a date column, appended partitioned by it as Parquet to {@code out}. */
  private static java.util.function.Consumer<Path> plainAppend(SparkSession spark, Path out) {
    return raw -> spark.read().parquet(raw.toString())
        .withColumn("event_date", to_date(col("event_time")))
        .write().mode(SaveMode.Append).partitionBy("event_date").parquet(out.toString());
  }

  /** N raw rows over K item ids, event dates by {@code day} (an expression of rand(7)); seeds from {@code seed}. */
  private static Path writeRaw(SparkSession spark, Path raw, long rows, long ids, String day, int seed) {
    spark.range(0, rows, 1, Math.max(8, spark.sparkContext().defaultParallelism() * 2)).select(
            expr("concat('i', lpad(cast(floor(rand(" + (seed + 3) + ") * " + ids + ") as string), 7, '0'))")
                .as("item_id"),
            expr("cast(id % 1000 as bigint)").as("quantity"),
            expr("round(rand(" + (seed + 5) + ") * 500, 2)").as("price"),
            expr("element_at(array('books','garden','kitchen','toys'), cast(id % 4 + 1 as int))").as("category"),
            expr("id % 3 = 0").as("active"),
            expr("timestamp_seconds(1714521600 + " + day.replace("rand(7)", "rand(" + (seed + 7) + ")")
                + " * 86400 + cast(rand(" + (seed + 11) + ") * 86399 as bigint))").as("event_time"))
        .write().mode(SaveMode.Overwrite).parquet(raw.toString());
    return raw;
  }

  private static Tidemark tidemark(SparkSession spark, Path home, FeatureRegistry registry, String database) {
    TidemarkConfig config = TidemarkConfig.forHome(home, Map.of("catalog.database", database, "offline.root",
        home.resolve("offline-" + database).toString()));
    return Tidemark.create(spark, config, registry);
  }

  private static long dataFiles(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(p -> p.getFileName().toString().endsWith(".parquet") && !p.toString().contains("_delta_log"))
          .count();
    }
  }
}
