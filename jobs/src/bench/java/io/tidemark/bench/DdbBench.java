package io.tidemark.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;

import io.tidemark.Tidemark;
import io.tidemark.asof.AsOf;
import io.tidemark.config.TidemarkConfig;
import io.tidemark.definitions.FeatureRegistry;
import io.tidemark.definitions.SourceFormat;
import io.tidemark.offline.MetadataColumns;
import io.tidemark.online.OnlineStore;
import io.tidemark.online.dynamo.ItemCodec;
import io.tidemark.online.dynamo.ItemSchema;
import io.tidemark.online.materialize.MaterializeResult;
import io.tidemark.runtime.LocalDynamoDb;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * {@code ./bench ddb [--items N] [--threads 4,8,16,32] [--concurrency C] [--tasks T] [--full-runs R]}: against one
 * in-memory dynalite server (Tidemark's local DynamoDB, a Node.js process, over HTTP), with the same items, after
 * an untimed warm-up of both paths, measures (1) the raw SDK ceiling: plain BatchWriteItem of 25 from T threads
 * into a fresh table, the best of the thread counts; (2) Tidemark's full load (the whole materialize action: Delta read, latest per id, table creation, writes,
 * alias switch), the best of R runs (default 3), as the raw ceiling is the best of several; (3) Tidemark's
 * incremental load after every record changed (batch writes of the winners, under the group's writer lease). Every
 * load starts from the same database size (earlier tables are dropped, and the benchmark waits until they are gone). Last line:
 * {@code ddb-bench: tidemark/raw=<x> incremental/raw=<y> incremental/raw-overwrite=<z> items=<n>}, z against (4) the
 * raw SDK replacing every item of a table that holds them all (what an incremental load asks of the server).
 */
public final class DdbBench {
  private static final String MORE = """
        - {name: updated, type: Timestamp}
        - {name: event_time, type: Timestamp}
      online:
        enabled: true
      """;

  public static void main(String[] args) throws Exception {
    int items = 100_000;
    List<Integer> threads = List.of(4, 8, 16, 32);
    int fullRuns = 3;
    Map<String, String> settings = new java.util.HashMap<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--items" -> items = Integer.parseInt(args[++i]);
        case "--threads" -> threads = java.util.Arrays.stream(args[++i].split(",")).map(Integer::parseInt).toList();
        case "--concurrency" -> settings.put("online.write_concurrency", args[++i]);
        case "--tasks" -> settings.put("online.write_tasks", args[++i]);
        case "--full-runs" -> fullRuns = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("usage: ./bench ddb [--items N] [--threads 4,8,16,32] "
            + "[--concurrency C (online.write_concurrency)] [--tasks T (online.write_tasks)] [--full-runs R]");
      }
    }
    BenchHome bench = BenchHome.create("ddb").items("items", MORE).items("warmup", MORE);
    Path home = bench.dir;
    String endpoint = LocalDynamoDb.inMemory("bench", home);
    settings.putAll(Map.of("online.endpoint", endpoint, "online.table_prefix", "bench_", "catalog.database", "bench"));
    TidemarkConfig config = TidemarkConfig.forHome(home, settings);
    SparkSession spark = bench.spark("ddb-bench");
    Tidemark tm = Tidemark.create(spark, config, FeatureRegistry.load(home.resolve("feature-definitions"),
        Map.of()));
    int cores = spark.sparkContext().defaultParallelism();
    System.out.printf(Locale.ROOT, "ddb-bench: %d items, dynalite 4.0.0 (in memory) over HTTP at %s, %d cores,"
        + " tidemark write_tasks=%s x write_concurrency=%s%n", items, endpoint, cores,
        config.get("online.write_tasks").equals("0") ? String.valueOf(4 * cores) : config.get("online.write_tasks"),
        config.get("online.write_concurrency"));

    ingest(tm, spark, home, "items", items, "2030-01-01 00:00:00", 1);
    ItemSchema schema = ItemSchema.of(tm.registry().group("items"));
    List<Map<String, AttributeValue>> prepared = new ArrayList<>(items);
    for (Row r : AsOf.latestPerKey(tm.offlineStore().forGroup(tm.registry().group("items")).read(),
        schema.key(), schema.eventTimeFeature(), schema.valueNames()).collectAsList()) {
      Object[] values = schema.valueNames().stream().map(r::getAs).toArray();
      prepared.add(ItemCodec.item(schema, r.getAs(schema.key()), ItemCodec.instant(r.getAs(schema.eventTimeFeature())),
          ItemCodec.instant(r.getAs(MetadataColumns.WRITE_TIME)), values));
    }

    DynamoDbClient client = tm.onlineStore().connection().writer();
    // untimed warm-up of both paths (JIT, Spark codegen, connections), so neither is measured cold
    int warmupItems = Math.max(1, Math.min(items, 20_000));
    rawLoad(client, "bench_raw_warmup", prepared.subList(0, warmupItems), 16, true);
    drop(client, "bench_raw_warmup");
    ingest(tm, spark, home, "warmup", warmupItems, "2030-01-01 00:00:00", 1);
    MaterializeResult warm = tm.materialize("warmup").execute();
    drop(client, warm.table());
    System.out.printf(Locale.ROOT, "warm-up: raw and tidemark full load of %d items each, tables dropped%n",
        warmupItems);
    double raw = 0;
    int bestThreads = threads.get(0);
    for (int t : threads) {
      double rate = rawLoad(client, "bench_raw_" + t, prepared, t, true);
      System.out.printf(Locale.ROOT, "raw BatchWriteItem x25, %2d threads: %,.0f items/s%n", t, rate);
      if (rate > raw) {
        raw = rate;
        bestThreads = t;
      }
      drop(client, "bench_raw_" + t); // every load starts from the same database size
    }
    // what an incremental load asks of the server: every item replaced in a table that holds them all
    rawLoad(client, "bench_raw_over", prepared, bestThreads, true);
    double rawOverwrite = rawLoad(client, "bench_raw_over", prepared, bestThreads, false);
    System.out.printf(Locale.ROOT, "raw BatchWriteItem x25, %2d threads, replacing every item of a full table: "
        + "%,.0f items/s%n", bestThreads, rawOverwrite);
    drop(client, "bench_raw_over");

    double fullRate = 0;
    for (int run = 1; run <= fullRuns; run++) {
      MaterializeResult full = tm.materialize("items").full(true).execute();
      double rate = full.written() / seconds(full);
      System.out.println(full.summary());
      System.out.printf(Locale.ROOT, "tidemark full load %d/%d: %,.0f items/s (whole action, %.1fs; its write job "
          + "alone: %.1fs, %,.0f items/s)%n", run, fullRuns, rate, seconds(full), full.writing().toNanos() / 1e9,
          full.written() / (full.writing().toNanos() / 1e9));
      fullRate = Math.max(fullRate, rate);
      if (run < fullRuns) {
        drop(client, full.table()); // the next load starts from the same database size
      }
    }

    ingest(tm, spark, home, "items", items, "2030-01-02 00:00:00", 2);
    // the incremental run's steps, timed (as --verbose prints them)
    org.apache.logging.log4j.core.config.Configurator.setLevel(io.tidemark.util.JobLabel.PHASES_LOGGER,
        org.apache.logging.log4j.Level.INFO);
    MaterializeResult incremental = tm.materialize("items").execute();
    double incRate = incremental.written() / seconds(incremental);
    System.out.println(incremental.summary());
    System.out.printf(Locale.ROOT, "tidemark incremental (batch writes under the lease): %,.0f items/s (whole action, "
        + "%.1fs; deciding and writing the changes: %.1fs)%n", incRate, seconds(incremental),
        incremental.writing().toNanos() / 1e9);
    OnlineStore online = tm.onlineStore();
    if (online.batchGet("items", List.of("i0000001")).values().stream()
        .noneMatch(r -> r.eventTime().equals(Instant.parse("2030-01-02T00:00:00Z")))) {
      throw new IllegalStateException("incremental load did not land");
    }
    System.out.printf(Locale.ROOT, "ddb-bench: tidemark/raw=%.2f incremental/raw=%.2f "
        + "incremental/raw-overwrite=%.2f items=%d%n", fullRate / raw, incRate / raw, incRate / rawOverwrite, items);
    spark.stop();
    System.exit(0);
  }

  /** One offline batch: every item, with this event time and values that differ per version. */
  private static void ingest(Tidemark tm, SparkSession spark, Path home, String group, int items, String eventTime,
      int version) {
    String path = home.resolve("raw/" + group + "-v" + version).toString();
    spark.range(1, items + 1L).select(
            concat(lit("i"), expr("lpad(cast(id as string), 7, '0')")).as("item_id"),
            col("id").multiply(version).as("quantity"),
            col("id").divide(7.0).plus(version).as("price"),
            concat(lit("category-"), col("id").mod(20).cast("string")).as("category"),
            col("id").mod(2).equalTo(version % 2).as("active"),
            expr("timestamp'2029-06-01 00:00:00' + make_interval(0, 0, 0, 0, 0, 0, id)").as("updated"),
            expr("timestamp'" + eventTime + "'").as("event_time"))
        .write().mode(SaveMode.Overwrite).parquet(path);
    tm.ingest(group).source(path, SourceFormat.PARQUET).execute();
  }

  private static double rawLoad(DynamoDbClient client, String table, List<Map<String, AttributeValue>> items,
      int threads, boolean create) throws Exception {
    if (create) {
      client.createTable(b -> b.tableName(table).billingMode(BillingMode.PAY_PER_REQUEST)
          .attributeDefinitions(a -> a.attributeName("item_id").attributeType(ScalarAttributeType.S))
          .keySchema(k -> k.attributeName("item_id").keyType(KeyType.HASH)));
      client.waiter().waitUntilTableExists(b -> b.tableName(table));
    }
    AtomicInteger next = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    long start = System.nanoTime();
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      done.add(pool.submit(() -> {
        for (int from = next.getAndAdd(25); from < items.size(); from = next.getAndAdd(25)) {
          List<WriteRequest> batch = items.subList(from, Math.min(items.size(), from + 25)).stream()
              .map(i -> WriteRequest.builder().putRequest(PutRequest.builder().item(i).build()).build()).toList();
          while (!batch.isEmpty()) {
            List<WriteRequest> sending = batch;
            BatchWriteItemResponse r = client.batchWriteItem(b -> b.requestItems(Map.of(table, sending)));
            batch = r.unprocessedItems().getOrDefault(table, List.of());
          }
        }
        return null;
      }));
    }
    for (Future<?> f : done) {
      f.get();
    }
    double secs = (System.nanoTime() - start) / 1e9;
    pool.shutdown();
    return items.size() / secs;
  }

  /** Drops a table and waits until the server has finished, so the next load does not share it with the drop. */
  private static void drop(DynamoDbClient client, String table) {
    client.deleteTable(b -> b.tableName(table));
    client.waiter().waitUntilTableNotExists(b -> b.tableName(table));
  }

  private static double seconds(MaterializeResult r) {
    return r.duration().toNanos() / 1e9;
  }
}
