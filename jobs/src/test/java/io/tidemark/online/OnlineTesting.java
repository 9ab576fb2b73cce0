package io.tidemark.online;

import io.tidemark.Tidemark;
import io.tidemark.definitions.SourceFormat;
import io.tidemark.ingest.IngestResult;
import io.tidemark.online.dynamo.OnlineCatalog;
import io.tidemark.runtime.LocalDynamoDb;
import io.tidemark.testing.GroupYaml;
import io.tidemark.testing.TestSpark;
import io.tidemark.testing.TestStore;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Online test projects: a {@link TestStore} whose online store is one in-memory dynalite server shared by the test JVM
 * (a real DynamoDB-compatible server over HTTP, not a mock), with a table prefix of its own.
 */
public final class OnlineTesting {
  public static final String USERS = GroupYaml.group("users", "user_id").describedBy("test users", "tests")
      .feature("user_id", "String").feature("age", "Integral").feature("score", "Fractional")
      .feature("active", "Boolean").feature("signup", "Timestamp").feature("note", "String")
      .feature("event_time", "Timestamp").online("30d").yaml();
  public static final String HEADER = "user_id,age,score,active,signup,note,event_time\n";
  /**
   * "Now" for reads: a few days after the test data, before its 30-day TTL ends. The data lies in 2099 so that it
   * stays unexpired on a server that, like DynamoDB, deletes items whose expires_at has passed.
   */
  public static final Clock MAY_10 = Clock.fixed(Instant.parse("2099-05-10T00:00:00Z"), ZoneOffset.UTC);
  private static final AtomicInteger BATCHES = new AtomicInteger();

  private OnlineTesting() {}

  public static String endpoint() {
    return LocalDynamoDb.inMemory("tests", TestSpark.target("online"));
  }

  public static Tidemark tidemark(TestStore store, Map<String, String> settings) {
    Map<String, String> all = new HashMap<>(Map.of("online.endpoint", endpoint(),
        "online.table_prefix", store.database + "_", "online.write_tasks", "3", "online.write_concurrency", "4"));
    all.putAll(settings);
    return Tidemark.create(store.spark(), store.config.with(all), store.registry());
  }

  public static Tidemark tidemark(TestStore store) {
    return tidemark(store, Map.of());
  }

  /** Ingests CSV rows (without the header) as one batch: one offline version. */
  public static IngestResult ingest(Tidemark tm, TestStore store, String group, String header, String rows) {
    String file = "raw/batch-" + BATCHES.incrementAndGet() + ".csv";
    store.write(file, header + rows);
    return tm.ingest(group).source(store.path(file).toString(), SourceFormat.CSV).execute();
  }

  public static IngestResult delete(Tidemark tm, TestStore store, String group, String rows) {
    String file = "raw/delete-" + BATCHES.incrementAndGet() + ".csv";
    store.write(file, "user_id,event_time\n" + rows);
    return tm.delete(group).from(store.path(file).toString(), SourceFormat.CSV).execute();
  }

  public static DynamoDbClient client(Tidemark tm) {
    return tm.onlineStore().connection().reader();
  }

  public static String liveTable(Tidemark tm, String group) {
    return tm.onlineStore().catalog().find(group).flatMap(OnlineCatalog.Entry::liveTable).orElseThrow();
  }

  /** Every item of a table, each as "attribute=TYPE:value" sorted by attribute, sorted by the item's text. */
  public static List<String> scan(Tidemark tm, String table) {
    return client(tm).scanPaginator(b -> b.tableName(table).consistentRead(true)).items().stream()
        .map(OnlineTesting::text).sorted().toList();
  }

  public static String text(Map<String, AttributeValue> item) {
    Map<String, String> sorted = new TreeMap<>();
    item.forEach((k, v) -> sorted.put(k, v.s() != null ? "S:" + v.s() : v.n() != null ? "N:" + v.n()
        : v.bool() != null ? "BOOL:" + v.bool() : Boolean.TRUE.equals(v.nul()) ? "NULL" : v.toString()));
    return sorted.toString();
  }
}
