package io.tidemark.online.materialize;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.xxhash64;

import io.tidemark.action.BaseAction;
import io.tidemark.asof.AsOf;
import io.tidemark.definitions.FeatureGroup;
import io.tidemark.offline.MetadataColumns;
import io.tidemark.offline.OfflineStore;
import io.tidemark.offline.OfflineTable;
import io.tidemark.online.OnlineRecord;
import io.tidemark.online.OnlineStore;
import io.tidemark.online.dynamo.ItemCodec;
import io.tidemark.online.dynamo.ItemSchema;
import io.tidemark.online.dynamo.OnlineCatalog;
import io.tidemark.util.JobLabel;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Training/serving skew check in both directions: samples record ids from the offline "latest as of now" (the
 * as-of core's snapshot) and from the live online table, and compares each id's online item with its offline
 * latest: event time and every feature value, exactly. An id served online that the offline store never had is
 * orphaned. {@code tidemark.reconcile("users").sample(100).execute()}.
 */
public final class ReconcileAction extends BaseAction<ReconcileAction, ReconcileResult> {
  private static final int EXAMPLES = 10;
  private static final int MAX_SEGMENTS = 4096;

  private final OfflineStore offline;
  private final OnlineStore online;
  private final FeatureGroup group;
  private int sample = 100;
  private long seed = 1;
  private Clock clock = Clock.systemUTC();

  public ReconcileAction(SparkSession spark, OfflineStore offline, OnlineStore online, FeatureGroup group) {
    super(spark);
    this.offline = offline;
    this.online = online;
    this.group = group;
  }

  /** How many record ids to sample from each side, offline and online (default 100). */
  public ReconcileAction sample(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("reconcile --sample must be at least 1, got " + n);
    }
    this.sample = n;
    return this;
  }

  /** Which ids are sampled: the same seed picks the same ids. */
  public ReconcileAction seed(long seed) {
    this.seed = seed;
    return this;
  }

  public ReconcileAction clock(Clock clock) {
    this.clock = clock;
    return this;
  }

  @Override
  protected String name() {
    return "reconcile";
  }

  @Override
  protected String description() {
    return group.name() + ": sample " + sample + " ids";
  }

  @Override
  protected ReconcileResult run(JobLabel label) {
    ItemSchema schema = ItemSchema.of(group);
    OfflineTable table = MaterializeAction.existingTable(offline, group);
    OnlineCatalog.Entry entry = online.catalog().find(group.name()).filter(e -> e.liveTable().isPresent())
        .orElseThrow(() -> new IllegalStateException("group '" + group.name() + "' was never materialized; run: "
            + "tidemark materialize " + group.name()));
    String live = entry.liveTable().get();
    List<Object> onlineIds;
    List<Row> rows;
    Optional<Long> version;
    version = table.version();
    Dataset<Row> history = version.isPresent() ? table.readVersion(version.get()) : table.read();
    Dataset<Row> latest = AsOf.latestPerKey(history, schema.key(), schema.eventTimeFeature(),
        schema.valueNames()).persist(StorageLevel.MEMORY_AND_DISK());
    try {
      onlineIds = sampleOnlineIds(schema, live, latest);
      Map<Object, Row> byId = new LinkedHashMap<>();
      latest.orderBy(xxhash64(col(schema.key()), lit(seed)), col(schema.key())).limit(sample).collectAsList()
          .forEach(r -> byId.put(OnlineStore.normalizeId(schema, r.getAs(schema.key())), r));
      if (!onlineIds.isEmpty()) {
        label.step("reconcile: " + group.name() + ": offline latest of " + onlineIds.size() + " ids sampled online");
        latest.where(col(schema.key()).isin(onlineIds.toArray())).collectAsList()
            .forEach(r -> byId.putIfAbsent(OnlineStore.normalizeId(schema, r.getAs(schema.key())), r));
      }
      rows = List.copyOf(byId.values());
      onlineIds = onlineIds.stream().filter(id -> !byId.containsKey(id)).toList();
    } finally {
      latest.unpersist();
    }
    OnlineStore reader = online.withConsistentReads(true).withAliasCache(java.time.Duration.ZERO);
    Map<Object, OnlineRecord> served = reader.batchGetIncludingExpired(group.name(),
        rows.stream().map(r -> r.getAs(schema.key())).toList());
    Map<Object, OnlineRecord> orphans = reader.batchGetIncludingExpired(group.name(), onlineIds);
    Instant now = clock.instant();
    Map<Outcome, Long> counts = new java.util.EnumMap<>(Outcome.class);
    List<String> examples = new ArrayList<>();
    for (Row r : rows) {
      Object id = OnlineStore.normalizeId(schema, r.getAs(schema.key()));
      Finding f = compare(schema, r, served.get(id), now);
      long seen = counts.merge(f.outcome(), 1L, Long::sum);
      if (f.outcome() != Outcome.MATCHED && seen <= EXAMPLES) {
        examples.add(id + ": " + f.problem());
      }
    }
    long orphaned = 0;
    for (OnlineRecord rec : orphans.values()) {
      if (rec.expiredAt(now)) {
        continue; // gone for readers, and DynamoDB's TTL sweeper deletes it
      }
      if (orphaned++ < EXAMPLES) {
        examples.add(rec.id() + ": orphaned: served with event time " + rec.eventTime() + " but the offline store "
            + "has no record " + rec.id());
      }
    }
    long expiredOrphans = orphans.size() - orphaned;
    return new ReconcileResult(group.name(), live, version, entry.watermark(), rows.size() + orphans.size()
        - expiredOrphans, count(counts, Outcome.MATCHED), count(counts, Outcome.MISSING),
        count(counts, Outcome.STALE), count(counts, Outcome.MISMATCHED), orphaned, examples);
  }

  /** How a sampled record's served item compares with its offline latest row. */
  private enum Outcome { MATCHED, MISSING, STALE, MISMATCHED }

  /** An outcome and, for a problem, what differs. */
  private record Finding(Outcome outcome, String problem) {}

  private static long count(Map<Outcome, Long> counts, Outcome o) {
    return counts.getOrDefault(o, 0L);
  }

  /** Compares the offline latest row of a record with what is served for it ({@code rec}, null when nothing). */
  private static Finding compare(ItemSchema schema, Row r, OnlineRecord rec, Instant now) {
    Instant eventTime = ItemCodec.instant(r.getAs(schema.eventTimeFeature()));
    boolean deleted = r.<Boolean>getAs(MetadataColumns.IS_DELETED);
    boolean expired = schema.hasTtl() && !eventTime.plusSeconds(schema.ttlSeconds()).isAfter(now);
    boolean visible = rec != null && !rec.expiredAt(now);
    if (deleted || expired) {
      if (!visible) {
        return new Finding(Outcome.MATCHED, null);
      }
      String why = deleted ? "deleted offline at " + eventTime : "expired offline (event time " + eventTime + ")";
      boolean newer = rec.eventTime().isAfter(eventTime);
      return new Finding(newer ? Outcome.MISMATCHED : Outcome.STALE, (newer ? "mismatched: " : "stale: ") + why
          + " but served with event time " + rec.eventTime());
    }
    if (rec == null) {
      return new Finding(Outcome.MISSING, "missing: offline latest at " + eventTime + " is not online");
    }
    if (rec.eventTime().isBefore(eventTime)) {
      return new Finding(Outcome.STALE, "stale: online " + rec.eventTime() + " < offline " + eventTime);
    }
    if (rec.eventTime().isAfter(eventTime)) {
      return new Finding(Outcome.MISMATCHED, "mismatched: online " + rec.eventTime() + " is newer than offline "
          + eventTime);
    }
    if (!visible) {
      return new Finding(Outcome.STALE, "stale: online item expired at " + rec.expiresAt().orElseThrow());
    }
    String differences = differences(schema, r, rec);
    return new Finding(differences == null ? Outcome.MATCHED : Outcome.MISMATCHED, differences);
  }

  /**
   * Up to {@code sample} ids from the live table: one segment of a parallel scan, chosen by the seed, with about
   * {@code sample} items per segment, of which the seed picks {@code sample}. The item count is DynamoDB's estimate (refreshed every few hours); where it
   * says 0 (a new table, or a local server, which never counts) the offline latest's size stands in for it.
   * At most 4,096 segments: a local server's scan splits the key space into 4,096 hash ranges.
   */
  private List<Object> sampleOnlineIds(ItemSchema schema, String table, Dataset<Row> offlineLatest) {
    DynamoDbClient client = online.connection().reader();
    long items = Optional.ofNullable(client.describeTable(b -> b.tableName(table)).table().itemCount()).orElse(0L);
    return sampleIds(client, schema, table, sample, seed, items > 0 ? items : offlineLatest.count());
  }

  /** {@code sample} ids of a table of about {@code items} items, chosen by {@code seed} (see above). */
  public static List<Object> sampleIds(DynamoDbClient client, ItemSchema schema, String table, int sample, long seed,
      long items) {
    int segments = (int) Math.max(1, Math.min(MAX_SEGMENTS, items / sample));
    java.util.Random random = new java.util.Random(seed);
    int segment = (int) Math.floorMod(random.nextLong(), (long) segments);
    // up to 4 x sample keys of that segment (all of a small table), of which the seed picks sample
    int read = (int) Math.min(4L * sample, Integer.MAX_VALUE);
    List<Object> ids = new ArrayList<>();
    for (Map<String, AttributeValue> item : client.scanPaginator(b -> b.tableName(table).segment(segment)
        .totalSegments(segments).projectionExpression("#k").expressionAttributeNames(Map.of("#k", schema.key()))
        .limit(Math.min(read, 1000))).items()) {
      AttributeValue k = item.get(schema.key());
      ids.add(OnlineStore.normalizeId(schema, k.s() != null ? k.s() : k.n()));
      if (ids.size() == read) {
        break;
      }
    }
    java.util.Collections.shuffle(ids, random);
    return ids.size() > sample ? List.copyOf(ids.subList(0, sample)) : ids;
  }

  /** Null when every value matches; else which features differ and how. */
  private static String differences(ItemSchema schema, Row offlineRow, OnlineRecord rec) {
    Map<String, String> diffs = new LinkedHashMap<>();
    for (ItemSchema.Attribute a : schema.values()) {
      Object expected = ItemCodec.typedValue(a, offlineRow.getAs(a.name()));
      Object actual = rec.get(a.name());
      if (!Objects.deepEquals(expected, actual)) {
        diffs.put(a.name(), "online " + text(actual) + " != offline " + text(expected));
      }
    }
    return diffs.isEmpty() ? null : "mismatched at the same event time: " + diffs;
  }

  private static String text(Object v) {
    return v instanceof double[] d ? java.util.Arrays.toString(d) : String.valueOf(v);
  }
}
