package io.tidemark.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;

import io.tidemark.Tidemark;
import io.tidemark.config.TidemarkConfig;
import io.tidemark.definitions.FeatureRegistry;
import io.tidemark.definitions.SourceFormat;
import io.tidemark.online.OnlineStore;
import io.tidemark.runtime.LocalDynamoDb;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;

/**
 * {@code ./bench online [--items N] [--requests R] [--batch-requests B] [--threads 1,8]}: online read latency.
 * Against one in-memory dynalite server holding a materialized group of N items, from 1 and 8 threads, after an
 * untimed warm-up: {@code OnlineStore.get} vs the raw SDK's GetItem of the same item, and {@code OnlineStore.batchGet}
 * of 100 ids vs a raw BatchGetItem of the same 100 keys (unprocessed keys sent again), each through the same SDK
 * client Tidemark reads with. The variants are paired request by request: each thread sends Tidemark's request and
 * the raw one for the same id back to back, which one goes first alternating, so a slower spell of the machine (a
 * GC, the server's, another process) lands on both alike. Prints p50 and p99 per variant and their ratios. Last line:
 * {@code online-bench: get p50=<x> p99=<y> batchGet p50=<x> p99=<y>} (Tidemark / raw, the worst over the thread
 * counts).
 */
public final class OnlineBench {
  private static final String MORE = """
        - {name: event_time, type: Timestamp}
      online:
        enabled: true
      """;

  private OnlineBench() {}

  public static void main(String[] args) throws Exception {
    int items = 20_000;
    int requests = 10_000;
    int batchRequests = 10_000;
    List<Integer> threads = List.of(1, 8);
    boolean rawProjection = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--items" -> items = Integer.parseInt(args[++i]);
        case "--requests" -> requests = Integer.parseInt(args[++i]);
        case "--batch-requests" -> batchRequests = Integer.parseInt(args[++i]);
        case "--threads" -> threads = Arrays.stream(args[++i].split(",")).map(Integer::parseInt).toList();
        case "--raw-projection" -> rawProjection = true;
        default -> throw new IllegalArgumentException("usage: ./bench online [--items N] [--requests R] "
            + "[--batch-requests B] [--threads 1,8] [--raw-projection]");
      }
    }
    BenchHome bench = BenchHome.create("online").items("items", MORE);
    String endpoint = LocalDynamoDb.inMemory("bench", bench.dir);
    TidemarkConfig config = TidemarkConfig.forHome(bench.dir, Map.of("online.endpoint", endpoint,
        "online.table_prefix", "bench_", "catalog.database", "bench"));
    SparkSession spark = bench.spark("online-bench");
    Tidemark tm = Tidemark.create(spark, config, FeatureRegistry.load(bench.definitions(), Map.of()));
    String raw = bench.dir.resolve("raw/items").toString();
    spark.range(1, items + 1L).select(concat(lit("i"), expr("lpad(cast(id as string), 7, '0')")).as("item_id"),
            col("id").as("quantity"), col("id").divide(7.0).as("price"),
            concat(lit("category-"), col("id").mod(20).cast("string")).as("category"),
            col("id").mod(2).equalTo(0).as("active"), expr("timestamp'2030-01-01 00:00:00'").as("event_time"))
        .write().mode(SaveMode.Overwrite).parquet(raw);
    tm.ingest("items").source(raw, SourceFormat.PARQUET).execute();
    System.out.println(tm.materialize("items").execute().summary());
    spark.stop(); // the reads need no Spark: nothing else runs while they are timed

    OnlineStore online = tm.onlineStore();
    DynamoDbClient client = online.connection().reader();
    String table = online.liveTable("items").orElseThrow();
    System.out.printf(Locale.ROOT, "online-bench: %,d items in %s on dynalite 4.0.0 (in memory) at %s; %,d get and "
        + "%,d batchGet(100) requests per variant and thread count, %d cores%n", items, table, endpoint, requests,
        batchRequests, Runtime.getRuntime().availableProcessors());
    int n = items;
    IntConsumer tidemarkGet = seed -> online.get("items", id(seed, n));
    // --raw-projection: the raw requests name the same attributes Tidemark's do (the server's share of the cost)
    Map<String, String> names = new HashMap<>();
    List<String> attributes = List.of("item_id", "event_time", "write_time", "expires_at", "quantity", "price",
        "category", "active");
    attributes.forEach(a -> names.put("#a" + names.size(), a));
    String projection = String.join(", ", names.keySet().stream().sorted().toList());
    boolean projected = rawProjection;
    IntConsumer rawGet = seed -> client.getItem(b -> {
      b.tableName(table).key(Map.of("item_id", AttributeValue.fromS(id(seed, n))));
      if (projected) {
        b.projectionExpression(projection).expressionAttributeNames(names);
      }
    });
    IntConsumer tidemarkBatch = seed -> online.batchGet("items", ids(seed, n));
    IntConsumer rawBatch = seed -> rawBatchGet(client, table, ids(seed, n), projected ? projection : null, names);

    double getP50 = 0;
    double getP99 = 0;
    double batchP50 = 0;
    double batchP99 = 0;
    for (int t : threads) {
      double[][] get = measure(tidemarkGet, rawGet, requests, t);
      double[][] batch = measure(tidemarkBatch, rawBatch, batchRequests, t);
      getP50 = Math.max(getP50, report("get", t, get));
      getP99 = Math.max(getP99, get[0][1] / get[1][1]);
      batchP50 = Math.max(batchP50, report("batchGet(100)", t, batch));
      batchP99 = Math.max(batchP99, batch[0][1] / batch[1][1]);
    }
    System.out.printf(Locale.ROOT, "online-bench: get p50=%.2f p99=%.2f batchGet p50=%.2f p99=%.2f%n", getP50,
        getP99, batchP50, batchP99);
    System.exit(0);
  }

  private static String id(int seed, int items) {
    return String.format(Locale.ROOT, "i%07d", 1 + new SplittableRandom(seed).nextInt(items));
  }

  private static List<String> ids(int seed, int items) {
    SplittableRandom r = new SplittableRandom(seed);
    List<String> out = new ArrayList<>(100);
    while (out.size() < 100) {
      String id = String.format(Locale.ROOT, "i%07d", 1 + r.nextInt(items));
      if (!out.contains(id)) {
        out.add(id);
      }
    }
    return out;
  }

  private static void rawBatchGet(DynamoDbClient client, String table, List<String> ids, String projection,
      Map<String, String> names) {
    List<Map<String, AttributeValue>> keys = new ArrayList<>();
    ids.forEach(id -> keys.add(Map.of("item_id", AttributeValue.fromS(id))));
    KeysAndAttributes.Builder request = KeysAndAttributes.builder().keys(keys);
    if (projection != null) {
      request.projectionExpression(projection).expressionAttributeNames(names);
    }
    Map<String, KeysAndAttributes> pending = Map.of(table, request.build());
    while (!pending.isEmpty()) {
      Map<String, KeysAndAttributes> sending = pending;
      BatchGetItemResponse r = client.batchGetItem(b -> b.requestItems(sending));
      pending = r.unprocessedKeys() == null ? Map.of() : new HashMap<>(r.unprocessedKeys());
    }
  }

  /**
   * Warm-up then {@code requests} timed requests of each variant from {@code threads} threads, alternating in
   * blocks; returns {p50, p99} in milliseconds for Tidemark (index 0) and raw (index 1).
   */
  private static double[][] measure(IntConsumer tidemark, IntConsumer raw, int requests, int threads)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      run(pool, tidemark, threads, Math.min(requests, 2_000), 1_000_000);
      run(pool, raw, threads, Math.min(requests, 2_000), 1_000_000);
      List<List<Long>> paired = runPaired(pool, tidemark, raw, threads, requests);
      List<Long> tidemarkNanos = paired.get(0);
      List<Long> rawNanos = paired.get(1);
      return new double[][] {percentiles(tidemarkNanos), percentiles(rawNanos)};
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * {@code count} pairs spread over the threads: pair k sends Tidemark's request and the raw one with seed k, back to
   * back, Tidemark first in every other pair of a thread; their latencies ({Tidemark, raw}).
   */
  private static List<List<Long>> runPaired(ExecutorService pool, IntConsumer tidemark, IntConsumer raw,
      int threads, int count) throws Exception {
    List<Future<long[][]>> parts = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      parts.add(pool.submit(() -> {
        int n = (count - thread + threads - 1) / threads;
        long[][] nanos = new long[2][n];
        for (int i = 0, k = thread; k < count; i++, k += threads) {
          boolean tidemarkFirst = i % 2 == 0;
          for (int side = 0; side < 2; side++) {
            boolean isTidemark = (side == 0) == tidemarkFirst;
            long t0 = System.nanoTime();
            (isTidemark ? tidemark : raw).accept(k);
            nanos[isTidemark ? 0 : 1][i] = System.nanoTime() - t0;
          }
        }
        return nanos;
      }));
    }
    List<List<Long>> all = List.of(new ArrayList<>(), new ArrayList<>());
    for (Future<long[][]> f : parts) {
      long[][] nanos = f.get();
      for (int side = 0; side < 2; side++) {
        for (long x : nanos[side]) {
          all.get(side).add(x);
        }
      }
    }
    return all;
  }

  /** {@code count} requests spread over the threads, request k with seed {@code firstSeed + k}; their latencies. */
  private static List<Long> run(ExecutorService pool, IntConsumer request, int threads, int count, int firstSeed)
      throws Exception {
    List<Future<List<Long>>> parts = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      parts.add(pool.submit(() -> {
        List<Long> nanos = new ArrayList<>();
        for (int k = thread; k < count; k += threads) {
          long t0 = System.nanoTime();
          request.accept(firstSeed + k);
          nanos.add(System.nanoTime() - t0);
        }
        return nanos;
      }));
    }
    List<Long> all = new ArrayList<>();
    for (Future<List<Long>> f : parts) {
      all.addAll(f.get());
    }
    return all;
  }

  private static double[] percentiles(List<Long> nanos) {
    long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
    return new double[] {sorted[(int) Math.floor(0.50 * (sorted.length - 1))] / 1e6,
        sorted[(int) Math.floor(0.99 * (sorted.length - 1))] / 1e6};
  }

  /** Prints one variant's line; returns Tidemark / raw at p50. */
  private static double report(String what, int threads, double[][] ms) {
    System.out.printf(Locale.ROOT, "%-14s %d thread%s: tidemark p50 %.2f ms p99 %.2f ms | raw p50 %.2f ms p99 %.2f "
        + "ms | tidemark/raw p50 %.2f p99 %.2f%n", what, threads, threads == 1 ? " " : "s", ms[0][0], ms[0][1],
        ms[1][0], ms[1][1], ms[0][0] / ms[1][0], ms[0][1] / ms[1][1]);
    return ms[0][0] / ms[1][0];
  }
}
