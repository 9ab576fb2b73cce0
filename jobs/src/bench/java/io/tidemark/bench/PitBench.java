package io.tidemark.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;

import io.tidemark.asof.AsOfJoin;
import io.tidemark.asof.AsOfSource;
import io.tidemark.config.SparkSessions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;

/**
 * Point-in-time join benchmark: synthetic histories and a spine, then in one session on the same data the
 * floor (both sides repartitioned by key and sorted into the noop sink), a plain sort-merge equi-join, the
 * naive range join + ROW_NUMBER (as Feast's Spark store does it) and Tidemark's as-of join (both wirings).
 *
 * <pre>
 * ./bench pit [--feature-rows 2000000] [--spine-rows 200000] [--versions 10] [--groups 2] [--hot-key-versions 0]
 *             [--zipf 0] [--partitions 8] [--repeat 1] [--skip naive,equi] [--data DIR]
 * </pre>
 * --feature-rows counts all groups together; --zipf S draws keys with a Zipf-like skew (0 = uniform); the hot
 * key gets --hot-key-versions extra versions in group 0 and 1% of the spine rows.
 */
public final class PitBench {
  private PitBench() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> a = parse(args);
    long featureRows = Long.parseLong(a.getOrDefault("feature-rows", "2000000"));
    long spineRows = Long.parseLong(a.getOrDefault("spine-rows", "200000"));
    int versions = Integer.parseInt(a.getOrDefault("versions", "10"));
    int groups = Integer.parseInt(a.getOrDefault("groups", "2"));
    long hot = Long.parseLong(a.getOrDefault("hot-key-versions", "0"));
    double zipf = Double.parseDouble(a.getOrDefault("zipf", "0"));
    int partitions = Integer.parseInt(a.getOrDefault("partitions", "8"));
    int repeat = Integer.parseInt(a.getOrDefault("repeat", "1"));
    List<String> skip = List.of(a.getOrDefault("skip", "").split(","));
    Path data = Path.of(a.getOrDefault("data", Path.of(System.getenv().getOrDefault("TIDEMARK_HOME", "target"),
        "bench-data", "pit").toString())).toAbsolutePath();

    SparkSession spark = SparkSessions.withTidemarkDefaults(SparkSession.builder().master("local[*]")
            .appName("pit-bench").config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
            .config("spark.sql.shuffle.partitions", String.valueOf(partitions))
            // the equi-join and the naive join must be sort-merge joins, as they are at scale
            .config("spark.sql.autoBroadcastJoinThreshold", "-1"))
        .getOrCreate();
    spark.sparkContext().setLogLevel("WARN");

    long perGroup = featureRows / groups;
    long keys = Math.max(1, perGroup / versions);
    System.out.printf(Locale.ROOT, "pit-bench: %d feature rows in %d groups (%d keys x %d versions), %d spine rows,"
            + " hot key %d versions, zipf %.2f, %d partitions, %d cores%n", featureRows, groups, keys, versions,
        spineRows, hot, zipf, partitions, Runtime.getRuntime().availableProcessors());

    long t0 = System.nanoTime();
    String spinePath = data.resolve("spine").toString();
    keyed(spark.range(spineRows), keys, zipf, 11)
        .withColumn("t", expr("timestamp_seconds(1704067200 + cast(rand(12) * 7776000 as bigint))"))
        .withColumn("label", expr("rand(13) < 0.5"))
        .unionByName(hotSpine(spark, spineRows, hot))
        .write().mode(SaveMode.Overwrite).parquet(spinePath);
    List<String> historyPaths = new ArrayList<>();
    for (int g = 0; g < groups; g++) {
      String p = data.resolve("group" + g).toString();
      Dataset<Row> h = keyed(spark.range(perGroup), keys, zipf, 100 + g)
          .withColumn("event_time", expr("timestamp_seconds(1701388800 + cast(rand(" + (200 + g)
              + ") * 10454400 as bigint))"))
          .withColumn("write_time", expr("event_time + make_interval(0, 0, 0, 0, 0, cast(rand(" + (300 + g)
              + ") * 120 as int), 0)"))
          .withColumn("is_deleted", expr("rand(" + (400 + g) + ") < 0.01"))
          .withColumn("f" + g + "_a", expr("rand(" + (500 + g) + ")"))
          .withColumn("f" + g + "_b", expr("cast(rand(" + (600 + g) + ") * 1000 as bigint)"))
          .withColumn("f" + g + "_c", expr("concat('c', cast(cast(rand(" + (700 + g) + ") * 50 as int) as string))"));
      if (g == 0 && hot > 0) {
        h = h.unionByName(spark.range(hot).selectExpr("-1L AS key",
            "timestamp_seconds(1701388800 + id * 10) AS event_time", "timestamp_seconds(1701388800 + id * 10) AS "
                + "write_time", "false AS is_deleted", "rand(1) AS f0_a", "id AS f0_b", "'hot' AS f0_c"));
      }
      h.write().mode(SaveMode.Overwrite).parquet(p);
      historyPaths.add(p);
    }
    System.out.printf(Locale.ROOT, "pit-bench: generated data in %.1f s (%s)%n", (System.nanoTime() - t0) / 1e9, data);

    Dataset<Row> spine = spark.read().parquet(spinePath);
    List<Dataset<Row>> histories = historyPaths.stream().map(p -> spark.read().parquet(p)).toList();
    long rows = spine.count();

    Map<String, Double> best = new LinkedHashMap<>();
    for (int r = 0; r < repeat; r++) {
      measure(best, "floor", () -> {
        noop(spine.repartition(col("key")).sortWithinPartitions("key", "t"));
        histories.forEach(h -> noop(h.repartition(col("key")).sortWithinPartitions("key", "event_time")));
        return "";
      });
      for (AsOfJoin.Strategy s : AsOfJoin.Strategy.values()) {
        measure(best, "tidemark-" + s.name().toLowerCase(Locale.ROOT).replace('_', '-'), () -> {
          AsOfJoin.Result res = tidemark(spine, histories, s, partitions);
          noop(res.rows());
          res.stats().forEach(st -> check(st.matched() + st.deleted() + st.noCandidate() == rows,
              "tidemark " + s + " " + st + " does not add up to " + rows + " spine rows"));
          return res.stats().toString();
        });
      }
      if (!skip.contains("equi")) {
        measure(best, "equi-join", () -> {
          for (int g = 0; g < histories.size(); g++) {
            noop(spine.join(histories.get(g).withColumnRenamed("event_time", "e" + g)
                .withColumnRenamed("write_time", "w" + g).withColumnRenamed("is_deleted", "d" + g), "key"));
          }
          return "";
        });
      }
      if (!skip.contains("naive")) {
        measure(best, "naive", () -> {
          noop(naive(spine, histories));
          return "";
        });
      }
    }
    // the ratio line measures the default wiring
    double tidemark = best.get("tidemark-zip-partitions");
    for (Map.Entry<String, Double> e : best.entrySet()) {
      System.out.printf(Locale.ROOT, "pit-bench: %-22s %8.2f s  (%.2fx floor)%n", e.getKey(), e.getValue(),
          e.getValue() / best.get("floor"));
    }
    System.out.printf(Locale.ROOT, "pit-bench: tidemark/floor=%.2f naive/tidemark=%s rows=%d%n",
        tidemark / best.get("floor"), !best.containsKey("naive") ? "skipped"
            : Double.isNaN(best.get("naive")) ? "failed" : String.format(Locale.ROOT, "%.2f",
            best.get("naive") / tidemark), rows);
    spark.stop();
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

  private static AsOfJoin.Result tidemark(Dataset<Row> spine, List<Dataset<Row>> histories, AsOfJoin.Strategy s,
      int partitions) {
    AsOfJoin join = AsOfJoin.on(spine, "t").strategy(s).partitions(partitions);
    for (int g = 0; g < histories.size(); g++) {
      List<String> values = List.of("f" + g + "_a", "f" + g + "_b", "f" + g + "_c");
      join.add(AsOfSource.of("group" + g, histories.get(g), "key", "key", "event_time", values, values,
          Optional.empty()));
    }
    return join.join();
  }

  /** Feast-style: join every spine row to every older version of its key, rank, keep the first, left-join back. */
  private static Dataset<Row> naive(Dataset<Row> spine, List<Dataset<Row>> histories) {
    Dataset<Row> out = spine.withColumn("spine_row", expr("monotonically_increasing_id()"));
    for (int g = 0; g < histories.size(); g++) {
      Dataset<Row> h = histories.get(g).withColumnRenamed("key", "hkey");
      Dataset<Row> joined = out.select("spine_row", "key", "t").join(h,
          col("key").equalTo(col("hkey")).and(col("event_time").leq(col("t"))));
      Dataset<Row> ranked = joined.withColumn("rn", row_number().over(Window.partitionBy("spine_row")
              .orderBy(col("event_time").desc(), col("write_time").desc(), col("is_deleted").desc())))
          .where(col("rn").equalTo(lit(1)))
          .selectExpr("spine_row AS r" + g, "CASE WHEN is_deleted THEN NULL ELSE f" + g + "_a END AS f" + g + "_a",
              "CASE WHEN is_deleted THEN NULL ELSE f" + g + "_b END AS f" + g + "_b",
              "CASE WHEN is_deleted THEN NULL ELSE f" + g + "_c END AS f" + g + "_c");
      out = out.join(ranked, col("spine_row").equalTo(col("r" + g)), "left").drop("r" + g);
    }
    return out;
  }

  private static void noop(Dataset<Row> d) {
    d.write().format("noop").mode(SaveMode.Overwrite).save();
  }

  /** Times one variant; a variant that fails (the naive join runs out of memory on hot keys) is reported. */
  private static void measure(Map<String, Double> best, String name, Supplier<String> run) {
    long t = System.nanoTime();
    String note;
    try {
      note = run.get();
    } catch (RuntimeException e) {
      double s = (System.nanoTime() - t) / 1e9;
      System.out.printf(Locale.ROOT, "pit-bench: %-22s FAILED after %.2f s: %s%n", name, s, e.toString().lines()
          .findFirst().orElse(""));
      best.putIfAbsent(name, Double.NaN);
      return;
    }
    double s = (System.nanoTime() - t) / 1e9;
    best.merge(name, s, (x, y) -> Double.isNaN(x) ? y : Math.min(x, y));
    System.out.printf(Locale.ROOT, "pit-bench: %-22s %8.2f s %s%n", name, s, note);
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
        throw new IllegalArgumentException("usage: ./bench pit [--feature-rows N] [--spine-rows N] [--versions N] "
            + "[--groups N] [--hot-key-versions N] [--zipf S] [--partitions N] [--repeat N] [--skip naive,equi] "
            + "[--data DIR]; got '" + args[i] + "'");
      }
      out.put(args[i].substring(2), args[++i]);
    }
    return out;
  }
}
