package io.tidemark.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;

import io.tidemark.asof.AsOfJoin;
import io.tidemark.asof.AsOfSource;
import io.tidemark.runtime.SparkSessions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.apache.spark.SparkContext;
import org.apache.spark.SparkExecutorInfo;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

/**
 * Point-in-time join benchmark: Tidemark's as-of join against the floor (every side shuffled by key and sorted,
 * into the noop sink) and against the plan a user would get from Feast's Spark offline store, on several data
 * shapes, each generated on its own, then a scale curve. See the README, "Training sets", for what is measured.
 *
 * <pre>
 * ./bench pit [--shapes uniform,groups5,zipf,hotkey] [--feature-rows 4000000] [--spine-rows 200000] [--groups 2]
 *             [--versions 10] [--groups5-feature-rows N] [--zipf 1.1] [--zipf-versions 100]
 *             [--hot-key-versions 1000000] [--scale 1,2,4] [--scale-shape uniform|zipf] [--scale-feature-rows N]
 *             [--scale-spine-rows N] [--runs 3] [--partitions 8] [--ttl-days 180] [--limit-factor 10]
 *             [--limit-min 60] [--check auto|on|off] [--also cogroup,equi] [--data DIR]
 * </pre>
 * --feature-rows counts all groups of a shape together (groups5: --groups5-feature-rows, default the same);
 * --scale 1 skips the scale curve, --shapes none skips the shapes; the scale curve's 1x is --scale-feature-rows
 * (default a quarter of --feature-rows) and --scale-spine-rows (a quarter of --spine-rows).
 */
public final class PitBench {
  private static final DateTimeFormatter SQL_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS")
      .withZone(ZoneOffset.UTC);
  private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "pit-bench-limit");
    t.setDaemon(true);
    return t;
  });

  private PitBench() {}

  /** One data shape: all groups together hold {@code featureRows} (plus the hot key's versions in group 0). */
  record Shape(String name, long featureRows, int groups, int versions, double zipf, long hot, long spineRows) {
    long keys() {
      return Math.max(1, featureRows / groups / versions);
    }

    String describe() {
      return String.format(Locale.ROOT, "%,d feature rows in %d groups (%,d keys x %d versions, %s)%s, %,d spine rows",
          featureRows, groups, keys(), versions, zipf > 0 ? "zipf s=" + zipf : "uniform keys",
          hot > 0 ? String.format(Locale.ROOT, " + one hot key with %,d versions in group 0 and 1%% of the spine", hot)
              : "", spineRows + (hot > 0 ? Math.max(1, spineRows / 100) : 0));
    }
  }

  /** A shape's generated data, read back from Parquet. */
  record Data(Dataset<Row> spine, List<Dataset<Row>> histories, long spineRows, Path dir) {}

  /**
   * A variant's timed runs, or why they stopped: {@code stoppedAfter} (seconds) when the time limit cancelled a
   * run, {@code failure} when one threw; {@code inWarmUp} when that happened before any timed run.
   */
  record Outcome(List<Double> seconds, double limit, Double stoppedAfter, String failure, boolean inWarmUp) {
    boolean complete() {
      return stoppedAfter == null && failure == null;
    }

    double median() {
      return complete() ? Stats.median(seconds) : Double.NaN;
    }

    /** Median over {@code base}'s, or "> N x" when stopped at the limit, or "failed". */
    String ratioTo(double base) {
      if (failure != null) {
        return "failed";
      }
      if (stoppedAfter != null) {
        return String.format(Locale.ROOT, ">%.1fx", limit / base);
      }
      return String.format(Locale.ROOT, "%.2f", median() / base);
    }

    String describe() {
      String runs = Stats.format(seconds);
      if (failure != null) {
        return "FAILED" + (inWarmUp ? " in the warm-up" : " after timed runs " + runs) + ": " + failure;
      }
      if (stoppedAfter != null) {
        return String.format(Locale.ROOT, "STOPPED at the %.1f s limit%s", limit,
            inWarmUp ? " in the warm-up (timed runs skipped)" : " after timed runs " + runs);
      }
      return String.format(Locale.ROOT, "min %7.2f s  median %7.2f s  %s", Stats.min(seconds), median(), runs);
    }
  }

  /** A shape's outcome per variant. */
  record ShapeResult(Shape shape, Map<String, Outcome> outcomes) {
    double median(String variant) {
      return outcomes.get(variant).median();
    }

    String ratios() {
      double tidemark = median("tidemark");
      return String.format(Locale.ROOT, "tidemark/floor=%.2f feast/tidemark=%s", tidemark / median("floor"),
          outcomes.containsKey("feast") ? outcomes.get("feast").ratioTo(tidemark) : "skipped");
    }
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> a = parse(args);
    long featureRows = Long.parseLong(a.getOrDefault("feature-rows", "4000000"));
    long spineRows = Long.parseLong(a.getOrDefault("spine-rows", "200000"));
    int groups = Integer.parseInt(a.getOrDefault("groups", "2"));
    int versions = Integer.parseInt(a.getOrDefault("versions", "10"));
    long groups5Rows = Long.parseLong(a.getOrDefault("groups5-feature-rows", String.valueOf(featureRows)));
    double zipf = Double.parseDouble(a.getOrDefault("zipf", "1.1"));
    int zipfVersions = Integer.parseInt(a.getOrDefault("zipf-versions", "100"));
    long hot = Long.parseLong(a.getOrDefault("hot-key-versions", "1000000"));
    List<Integer> scale = Arrays.stream(a.getOrDefault("scale", "1,2,4").split(",")).map(String::trim)
        .map(Integer::parseInt).toList();
    String scaleShape = a.getOrDefault("scale-shape", "uniform");
    long scaleRows = Long.parseLong(a.getOrDefault("scale-feature-rows", String.valueOf(featureRows / 4)));
    long scaleSpine = Long.parseLong(a.getOrDefault("scale-spine-rows", String.valueOf(spineRows / 4)));
    int runs = Integer.parseInt(a.getOrDefault("runs", "3"));
    int partitions = Integer.parseInt(a.getOrDefault("partitions", "8"));
    long ttlSeconds = Long.parseLong(a.getOrDefault("ttl-days", "180")) * 86400;
    double limitFactor = Double.parseDouble(a.getOrDefault("limit-factor", "10"));
    double limitMin = Double.parseDouble(a.getOrDefault("limit-min", "60"));
    String check = a.getOrDefault("check", "auto");
    boolean explain = Boolean.parseBoolean(a.getOrDefault("explain", "false"));
    List<String> also = List.of(a.getOrDefault("also", "").split(","));
    Path data = Path.of(a.getOrDefault("data", Path.of(System.getenv().getOrDefault("TIDEMARK_HOME", "target"),
        "bench-data", "pit").toString())).toAbsolutePath();
    check(runs >= 1 && scale.get(0) == 1, "--runs must be at least 1 and --scale must start with 1");

    Map<String, Shape> all = new LinkedHashMap<>();
    all.put("uniform", new Shape("uniform", featureRows, groups, versions, 0, 0, spineRows));
    all.put("groups5", new Shape("groups5", groups5Rows, 5, versions, 0, 0, spineRows));
    all.put("zipf", new Shape("zipf", featureRows, groups, zipfVersions, zipf, 0, spineRows));
    all.put("hotkey", new Shape("hotkey", featureRows, groups, versions, 0, hot, spineRows));
    List<Shape> shapes = new ArrayList<>();
    for (String s : a.getOrDefault("shapes", String.join(",", all.keySet())).split(",")) {
      if (!s.isBlank() && !s.equals("none")) {
        check(all.containsKey(s.trim()), "unknown shape '" + s + "'; shapes are " + all.keySet());
        shapes.add(all.get(s.trim()));
      }
    }
    Shape scaleBase = all.get(scaleShape);
    check(scaleBase != null && scaleBase.hot() == 0, "--scale-shape is one of uniform, groups5, zipf");

    SparkSession spark = SparkSessions.withTidemarkDefaults(SparkSession.builder().master("local[*]")
            .appName("pit-bench").config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
            .config("spark.sql.shuffle.partitions", String.valueOf(partitions))
            // a training-set spine is too large to broadcast at scale: the peers' joins are sort-merge joins
            .config("spark.sql.autoBroadcastJoinThreshold", "-1"))
        .getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    System.out.printf(Locale.ROOT, "pit-bench: %d cores, %d partitions, %d timed runs per variant after an untimed "
            + "warm-up; feast TTL %d days (covers all data; tidemark gets the same TTL); a peer is stopped at "
            + "max(%.0f s, %.0fx tidemark's median)%n", Runtime.getRuntime().availableProcessors(), partitions, runs,
        ttlSeconds / 86400, limitMin, limitFactor);

    List<ShapeResult> results = new ArrayList<>();
    for (Shape shape : shapes) {
      Data d = generate(spark, shape, data.resolve(shape.name()));
      boolean doCheck = check.equals("on") || (check.equals("auto") && d.spineRows() <= 50_000);
      results.add(measureShape(spark, shape, d, runs, partitions, ttlSeconds, limitFactor, limitMin, doCheck, also, true,
          explain));
      delete(d.dir());
    }

    // scale curve: tidemark and the floor at 1x, 2x, 4x rows (feature rows and spine rows) of one shape
    List<ShapeResult> curve = new ArrayList<>();
    if (scale.size() > 1) {
      for (int f : scale) {
        Shape s = new Shape(scaleShape + "-" + f + "x", scaleRows * f, scaleBase.groups(), scaleBase.versions(),
            scaleBase.zipf(), 0, scaleSpine * f);
        Data d = generate(spark, s, data.resolve(s.name()));
        curve.add(measureShape(spark, s, d, runs, partitions, ttlSeconds, 0, 0, false, List.of(), false, false));
        delete(d.dir());
      }
    }

    System.out.println("pit-bench: results (medians; targets: tidemark/floor <= 1.2 in every shape, feast/tidemark "
        + ">= 3 under skew (zipf, hotkey) or feast failing/stopped, scale t2x/t1x and t4x/t2x <= 2.2)");
    List<String> summary = new ArrayList<>();
    for (ShapeResult r : results) {
      System.out.printf(Locale.ROOT, "pit-bench: %-8s %s  (%s)%n", r.shape().name(), r.ratios(), r.shape().describe());
      summary.add(r.shape().name() + " " + r.ratios());
    }
    if (!curve.isEmpty()) {
      StringBuilder tm = new StringBuilder("scale(" + scaleShape + ", tidemark)");
      StringBuilder fl = new StringBuilder("floor");
      for (int i = 1; i < curve.size(); i++) {
        String step = "t" + scale.get(i) + "x/t" + scale.get(i - 1) + "x=";
        tm.append(' ').append(step).append(String.format(Locale.ROOT, "%.2f",
            curve.get(i).median("tidemark") / curve.get(i - 1).median("tidemark")));
        fl.append(' ').append(step).append(String.format(Locale.ROOT, "%.2f",
            curve.get(i).median("floor") / curve.get(i - 1).median("floor")));
      }
      for (ShapeResult r : curve) {
        System.out.printf(Locale.ROOT, "pit-bench: %-10s tidemark %.2f s, floor %.2f s, tidemark/floor=%.2f (%s)%n",
            r.shape().name(), r.median("tidemark"), r.median("floor"), r.median("tidemark") / r.median("floor"),
            r.shape().describe());
      }
      System.out.println("pit-bench: " + tm + " (" + fl + ")");
      summary.add(tm.toString());
    }
    System.out.println("pit-bench: " + String.join(" | ", summary));
    spark.stop();
  }

  private static ShapeResult measureShape(SparkSession spark, Shape shape, Data d, int runs, int partitions,
      long ttlSeconds, double limitFactor, double limitMin, boolean doCheck, List<String> also, boolean withFeast, boolean explain) {
    String tag = "[" + shape.name() + "]";
    Map<String, Runnable> variants = new LinkedHashMap<>();
    variants.put("floor", () -> {
      noop(d.spine().repartition(col("key")).sortWithinPartitions("key", "t"));
      d.histories().forEach(h -> noop(h.repartition(col("key")).sortWithinPartitions("key", "event_time")));
    });
    variants.put("tidemark", () -> tidemarkRun(d, AsOfJoin.Strategy.ZIP_PARTITIONS, partitions, ttlSeconds));
    if (also.contains("cogroup")) {
      variants.put("tidemark-cogroup", () -> tidemarkRun(d, AsOfJoin.Strategy.COGROUP, partitions, ttlSeconds));
    }
    if (also.contains("equi")) {
      variants.put("equi-join", () -> {
        for (int g = 0; g < d.histories().size(); g++) {
          noop(d.spine().join(d.histories().get(g).withColumnRenamed("event_time", "e" + g)
              .withColumnRenamed("write_time", "w" + g).withColumnRenamed("is_deleted", "d" + g), "key"));
        }
      });
    }
    // floor and tidemark: warm-ups, then the timed runs alternating
    Map<String, Outcome> outcomes = new LinkedHashMap<>();
    for (Map.Entry<String, Runnable> v : variants.entrySet()) {
      Double warm = timed(spark, tag + " " + v.getKey() + " warm-up", 0, v.getValue());
      check(warm != null, tag + " " + v.getKey() + " warm-up was stopped without a limit");
      outcomes.put(v.getKey(), new Outcome(new ArrayList<>(), 0, null, null, false));
    }
    for (int r = 0; r < runs; r++) {
      for (Map.Entry<String, Runnable> v : variants.entrySet()) {
        outcomes.get(v.getKey()).seconds().add(timed(spark, tag + " " + v.getKey() + " run " + (r + 1), 0,
            v.getValue()));
      }
    }
    for (Map.Entry<String, Outcome> o : outcomes.entrySet()) {
      System.out.printf(Locale.ROOT, "pit-bench: %-10s %-16s %s%n", tag, o.getKey(), o.getValue().describe());
    }
    if (withFeast) {
      if (explain) {
        System.out.println("pit-bench: " + tag + " feast plan:");
        feast(spark, d, ttlSeconds).explain("formatted");
      }
      double limit = Math.max(limitMin, limitFactor * outcomes.get("tidemark").median());
      Outcome feast = peer(spark, tag + " feast", runs, limit, () -> noop(feast(spark, d, ttlSeconds)));
      outcomes.put("feast", feast);
      System.out.printf(Locale.ROOT, "pit-bench: %-10s %-16s %s%n", tag, "feast", feast.describe());
      if (doCheck && feast.complete()) {
        crossCheck(spark, d, tag, partitions, ttlSeconds);
      }
    }
    ShapeResult result = new ShapeResult(shape, outcomes);
    System.out.printf(Locale.ROOT, "pit-bench: %-10s %s%n", tag, result.ratios());
    return result;
  }

  /** The peer's warm-up, then its timed runs, each stopped at {@code limit} seconds; stops at the first failure. */
  private static Outcome peer(SparkSession spark, String name, int runs, double limit, Runnable run) {
    List<Double> seconds = new ArrayList<>();
    for (int r = 0; r <= runs; r++) {
      try {
        Double s = timed(spark, name + (r == 0 ? " warm-up" : " run " + r), limit, run);
        if (s == null) {
          return new Outcome(seconds, limit, limit, null, r == 0);
        }
        if (r > 0) {
          seconds.add(s);
        }
      } catch (Exception | OutOfMemoryError e) {
        // Spark's own exceptions are checked ones, thrown through Scala
        return new Outcome(seconds, limit, null, e.toString().lines().findFirst().orElse(""), r == 0);
      }
    }
    return new Outcome(seconds, limit, null, null, false);
  }

  /**
   * Runs {@code run} in its own Spark job group and returns its seconds, or null when it was still running at
   * {@code limit} seconds (0: no limit): then its job group is cancelled (and again every second, in case it
   * starts another job) and the cancelled tasks are waited for, so they do not slow what runs next.
   */
  private static Double timed(SparkSession spark, String name, double limit, Runnable run) {
    SparkContext sc = spark.sparkContext();
    String group = "pit-bench-" + name.replaceAll("[^A-Za-z0-9]+", "-");
    AtomicBoolean fired = new AtomicBoolean();
    sc.setJobGroup(group, name, true);
    ScheduledFuture<?> stop = limit <= 0 ? null : TIMER.scheduleAtFixedRate(() -> {
      fired.set(true);
      sc.cancelJobGroup(group);
    }, (long) (limit * 1000), 1000, TimeUnit.MILLISECONDS);
    long t0 = System.nanoTime();
    try {
      run.run();
      double s = (System.nanoTime() - t0) / 1e9;
      if (fired.get()) {
        return null;
      }
      System.out.printf(Locale.ROOT, "pit-bench: %-40s %8.2f s%n", name, s);
      return s;
    } catch (Exception e) {
      if (!fired.get()) {
        throw e instanceof RuntimeException r ? r : new IllegalStateException(name + " failed", e);
      }
      System.out.printf(Locale.ROOT, "pit-bench: %-40s stopped at the %.1f s limit (%s)%n", name, limit,
          e.toString().lines().findFirst().orElse(""));
      return null;
    } finally {
      if (stop != null) {
        stop.cancel(false);
      }
      sc.clearJobGroup();
      if (fired.get()) {
        awaitIdle(sc);
      }
    }
  }

  /** Waits (up to 5 minutes) until no task runs any more: cancelled tasks end at their next interrupt check. */
  private static void awaitIdle(SparkContext sc) {
    long t0 = System.nanoTime();
    while (Arrays.stream(sc.statusTracker().getExecutorInfos()).mapToInt(SparkExecutorInfo::numRunningTasks).sum() > 0
        && System.nanoTime() - t0 < 300e9) {
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    System.out.printf(Locale.ROOT, "pit-bench: cancelled tasks ended %.1f s after the cancel%n",
        (System.nanoTime() - t0) / 1e9);
  }

  /** Writes the shape's spine and histories to Parquet under {@code dir} and reads them back. */
  private static Data generate(SparkSession spark, Shape shape, Path dir) {
    long t0 = System.nanoTime();
    long keys = shape.keys();
    long perGroup = shape.featureRows() / shape.groups();
    String spinePath = dir.resolve("spine").toString();
    keyed(spark.range(shape.spineRows()), keys, shape.zipf(), 11)
        .withColumn("t", expr("timestamp_seconds(1704067200 + cast(rand(12) * 7776000 as bigint))"))
        .withColumn("label", expr("rand(13) < 0.5"))
        .unionByName(hotSpine(spark, shape.spineRows(), shape.hot()))
        .write().mode(SaveMode.Overwrite).parquet(spinePath);
    List<Dataset<Row>> histories = new ArrayList<>();
    for (int g = 0; g < shape.groups(); g++) {
      String p = dir.resolve("group" + g).toString();
      Dataset<Row> h = keyed(spark.range(perGroup), keys, shape.zipf(), 100 + g)
          .withColumn("event_time", expr("timestamp_seconds(1701388800 + cast(rand(" + (200 + g)
              + ") * 10454400 as bigint))"))
          .withColumn("write_time", expr("event_time + make_interval(0, 0, 0, 0, 0, cast(rand(" + (300 + g)
              + ") * 120 as int), 0)"))
          .withColumn("is_deleted", expr("rand(" + (400 + g) + ") < 0.01"))
          .withColumn("f" + g + "_a", expr("rand(" + (500 + g) + ")"))
          .withColumn("f" + g + "_b", expr("cast(rand(" + (600 + g) + ") * 1000 as bigint)"))
          .withColumn("f" + g + "_c", expr("concat('c', cast(cast(rand(" + (700 + g) + ") * 50 as int) as string))"));
      if (g == 0 && shape.hot() > 0) {
        h = h.unionByName(spark.range(shape.hot()).selectExpr("-1L AS key",
            "timestamp_seconds(1701388800 + id * 10) AS event_time", "timestamp_seconds(1701388800 + id * 10) AS "
                + "write_time", "false AS is_deleted", "rand(1) AS f0_a", "id AS f0_b", "'hot' AS f0_c"));
      }
      h.write().mode(SaveMode.Overwrite).parquet(p);
      histories.add(spark.read().parquet(p));
    }
    Dataset<Row> spine = spark.read().parquet(spinePath);
    long rows = spine.count();
    System.out.printf(Locale.ROOT, "pit-bench: [%s] %s; generated in %.1f s (%s)%n", shape.name(), shape.describe(),
        (System.nanoTime() - t0) / 1e9, dir);
    return new Data(spine, histories, rows, dir);
  }

  /** Adds a key column: uniform over [0, keys), or Zipf-like (rank ~ u^(1/(1-s))) when s > 0. */
  private static Dataset<Row> keyed(Dataset<Long> ids, long keys, double zipf, int seed) {
    String key = zipf <= 0 ? "cast(floor(rand(" + seed + ") * " + keys + ") as bigint)"
        : Math.abs(zipf - 1) < 1e-9 ? "least(cast(floor(pow(" + keys + ", rand(" + seed + "))) as bigint) - 1, "
            + (keys - 1) + ")"
        : "least(cast(floor(pow((pow(" + keys + ", " + (1 - zipf) + ") - 1) * rand(" + seed + ") + 1, "
            + (1 / (1 - zipf)) + ")) as bigint) - 1, " + (keys - 1) + ")";
    return ids.toDF().selectExpr(key + " AS key");
  }

  private static Dataset<Row> hotSpine(SparkSession spark, long spineRows, long hot) {
    long n = hot > 0 ? Math.max(1, spineRows / 100) : 0;
    return spark.range(n).selectExpr("-1L AS key", "timestamp_seconds(1701388800 + cast(rand(14) * " + (hot * 10)
        + " as bigint)) AS t", "rand(15) < 0.5 AS label");
  }

  private static AsOfJoin.Result tidemark(Data d, AsOfJoin.Strategy s, int partitions, long ttlSeconds) {
    AsOfJoin join = AsOfJoin.on(d.spine(), "t").strategy(s).partitions(partitions);
    for (int g = 0; g < d.histories().size(); g++) {
      List<String> values = List.of("f" + g + "_a", "f" + g + "_b", "f" + g + "_c");
      join.add(AsOfSource.of("group" + g, d.histories().get(g), "key", "key", "event_time", values, values,
          Optional.of(Duration.ofSeconds(ttlSeconds))));
    }
    return join.join();
  }

  /** One tidemark run into the noop sink; its counts must add up to the spine rows for every group. */
  private static void tidemarkRun(Data d, AsOfJoin.Strategy s, int partitions, long ttlSeconds) {
    AsOfJoin.Result res = tidemark(d, s, partitions, ttlSeconds);
    noop(res.rows());
    res.stats().forEach(st -> check(st.matched() + st.deleted() + st.noCandidate() == d.spineRows(),
        "tidemark " + s + " " + st + " does not add up to " + d.spineRows() + " spine rows"));
  }

  /**
   * The plan of Feast's Spark offline store ({@code get_historical_features} with its
   * {@code MULTIPLE_FEATURE_VIEW_POINT_IN_TIME_JOIN} template), one feature view per group, {@code event_time} as
   * the timestamp field and {@code write_time} as the created timestamp column, written here as the same SQL
   * statements: the entity df's time range (two aggregations, as Feast reads it), a view of the entity df with a
   * row id per feature view (key and timestamp as one string), then per feature view: the distinct entity rows;
   * the history pruned to [min - ttl, max]; the range join on key with {@code event <= entity_ts} and
   * {@code event >= entity_ts - ttl}; the greatest created timestamp per (row id, event time); ROW_NUMBER over the
   * row id by event and created time descending, row 1; that row joined back to the range join's rows; and last
   * the entity df left-joined to each feature view's result on the row id. Feast has no tombstones: the final
   * projection nulls a deleted winner's values, as Tidemark does, so both return the same rows.
   */
  private static Dataset<Row> feast(SparkSession spark, Data d, long ttlSeconds) {
    d.spine().createOrReplaceTempView("feast_entity_df");
    Instant lo = instant(d.spine().agg(min(col("t"))).collectAsList().get(0).get(0));
    Instant hi = instant(d.spine().agg(max(col("t"))).collectAsList().get(0).get(0));
    int n = d.histories().size();
    StringBuilder ids = new StringBuilder();
    for (int g = 0; g < n; g++) {
      d.histories().get(g).createOrReplaceTempView("feast_group" + g);
      ids.append(", concat(cast(key AS string), cast(t AS string)) AS group").append(g).append("__row_id");
    }
    spark.sql("CREATE OR REPLACE TEMPORARY VIEW feast_entities AS SELECT *, t AS entity_ts" + ids
        + " FROM feast_entity_df");
    StringBuilder select = new StringBuilder("SELECT key, t, label");
    StringBuilder from = new StringBuilder(" FROM feast_entities");
    for (int g = 0; g < n; g++) {
      String fv = "group" + g;
      String id = fv + "__row_id";
      String features = "f" + g + "_a, f" + g + "_b, f" + g + "_c";
      spark.sql("CREATE OR REPLACE TEMPORARY VIEW " + fv + "__cleaned AS"
          + " WITH entities AS (SELECT key, entity_ts, " + id + " FROM feast_entities GROUP BY key, entity_ts, "
          + id + "),"
          + " history AS (SELECT event_time AS event_ts, write_time AS created_ts, key, is_deleted AS " + fv
          + "__deleted, " + features + " FROM feast_" + fv + " WHERE event_time <= TIMESTAMP '" + SQL_TIME.format(hi)
          + "' AND event_time >= TIMESTAMP '" + SQL_TIME.format(lo.minusSeconds(ttlSeconds)) + "'),"
          + " base AS (SELECT history.*, entities.entity_ts, entities." + id + " FROM history JOIN entities"
          + " ON history.event_ts <= entities.entity_ts"
          + " AND history.event_ts >= entities.entity_ts - " + ttlSeconds + " * INTERVAL '1' SECOND"
          + " AND history.key = entities.key),"
          + " dedup AS (SELECT " + id + ", event_ts, max(created_ts) AS created_ts FROM base GROUP BY " + id
          + ", event_ts),"
          + " latest AS (SELECT event_ts, created_ts, " + id + " FROM (SELECT *, row_number() OVER (PARTITION BY "
          + id + " ORDER BY event_ts DESC, created_ts DESC) AS rn FROM base JOIN dedup USING (" + id
          + ", event_ts, created_ts)) WHERE rn = 1)"
          + " SELECT base.* FROM base JOIN latest USING (" + id + ", event_ts, created_ts)");
      for (String f : features.split(", ")) {
        select.append(", CASE WHEN ").append(fv).append("__deleted THEN NULL ELSE ").append(f).append(" END AS ")
            .append(f);
      }
      from.append(" LEFT JOIN (SELECT ").append(id).append(", ").append(fv).append("__deleted, ").append(features)
          .append(" FROM ").append(fv).append("__cleaned) USING (").append(id).append(')');
    }
    return spark.sql(select.toString() + from);
  }

  /** Untimed: feast and tidemark must return the same rows (as multisets), one per spine row. */
  private static void crossCheck(SparkSession spark, Data d, String tag, int partitions, long ttlSeconds) {
    // each side computed once
    Dataset<Row> t = tidemark(d, AsOfJoin.Strategy.ZIP_PARTITIONS, partitions, ttlSeconds).rows()
        .persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> fs = feast(spark, d, ttlSeconds)
        .select(Arrays.stream(t.columns()).map(c -> col(c)).toArray(org.apache.spark.sql.Column[]::new))
        .persist(StorageLevel.MEMORY_AND_DISK());
    long feastRows = fs.count();
    long onlyTidemark = t.exceptAll(fs).count();
    long onlyFeast = fs.exceptAll(t).count();
    long matched = t.where(col("f0_b").isNotNull()).count();
    System.out.printf(Locale.ROOT, "pit-bench: %-10s cross-check: feast %,d rows, spine %,d rows; rows only in "
            + "tidemark %d, only in feast %d (%,d spine rows with a live group0 value)%n", tag, feastRows,
        d.spineRows(), onlyTidemark, onlyFeast, matched);
    t.unpersist();
    fs.unpersist();
    check(feastRows == d.spineRows() && onlyTidemark == 0 && onlyFeast == 0, tag + " feast and tidemark differ");
  }

  private static Instant instant(Object v) {
    return v instanceof Instant i ? i : ((java.sql.Timestamp) v).toInstant();
  }

  private static void noop(Dataset<Row> d) {
    d.write().format("noop").mode(SaveMode.Overwrite).save();
  }

  private static void delete(Path dir) {
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      System.out.println("pit-bench: could not delete " + dir + ": " + e);
    }
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalStateException(message);
    }
  }

  private static Map<String, String> parse(String[] args) {
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("usage: ./bench pit [--shapes uniform,groups5,zipf,hotkey] "
            + "[--feature-rows N] [--spine-rows N] [--groups N] [--versions N] [--groups5-feature-rows N] [--zipf S] "
            + "[--zipf-versions N] [--hot-key-versions N] [--scale 1,2,4] [--scale-shape uniform|groups5|zipf] "
            + "[--scale-feature-rows N] [--scale-spine-rows N] [--runs N] [--partitions N] [--ttl-days D] "
            + "[--limit-factor X] [--limit-min S] [--check auto|on|off] [--also cogroup,equi] [--data DIR]; got '"
            + args[i] + "'");
      }
      out.put(args[i].substring(2), args[++i]);
    }
    return out;
  }
}
