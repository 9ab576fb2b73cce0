package io.tidemark.online;

import io.tidemark.config.TidemarkConfig;
import io.tidemark.definitions.FeatureGroup;
import io.tidemark.definitions.FeatureRegistry;
import io.tidemark.definitions.FeatureType;
import io.tidemark.online.dynamo.DynamoConnection;
import io.tidemark.online.dynamo.ItemCodec;
import io.tidemark.online.dynamo.ItemSchema;
import io.tidemark.online.dynamo.OnlineCatalog;
import io.tidemark.online.dynamo.OnlineConfig;
import io.tidemark.online.dynamo.Retrying;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;

/**
 * The online client: the latest features of records by id, in milliseconds. Reads the live table version through
 * the catalog's alias (cached for {@link #withAliasCache a few seconds}; replaced tables stay readable for the
 * grace period, so a cached alias is always safe). Expired records (expires_at in the past) are hidden even
 * before DynamoDB's TTL sweeper deletes them; a missing record is an empty result, not an error.
 */
public final class OnlineStore {
  /** BatchGetItem's limit of keys per request. */
  public static final int BATCH_GET_KEYS = 100;

  private final FeatureRegistry registry;
  private final OnlineConfig config;
  private final DynamoConnection connection;
  private final Clock clock;
  private final Duration aliasCache;
  private final boolean consistentRead;
  private final Map<String, CachedAlias> aliases = new ConcurrentHashMap<>();

  private record CachedAlias(String table, Instant until) {}

  public OnlineStore(FeatureRegistry registry, OnlineConfig config, DynamoConnection connection, Clock clock,
      Duration aliasCache, boolean consistentRead) {
    this.registry = registry;
    this.config = config;
    this.connection = connection;
    this.clock = clock;
    this.aliasCache = aliasCache;
    this.consistentRead = consistentRead;
  }

  /** The client for a project's configuration ({@code online.*}) and definitions. */
  public static OnlineStore create(TidemarkConfig config, FeatureRegistry registry) {
    return new OnlineStore(registry, OnlineConfig.from(config), DynamoConnection.from(config), Clock.systemUTC(),
        Duration.ofSeconds(5), false);
  }

  /** The same store reading with this clock (what "now" is for expiry). */
  public OnlineStore withClock(Clock c) {
    return new OnlineStore(registry, config, connection, c, aliasCache, consistentRead);
  }

  /** The same store caching each group's live table name this long (zero: read the alias on every call). */
  public OnlineStore withAliasCache(Duration d) {
    return new OnlineStore(registry, config, connection, clock, d, consistentRead);
  }

  /** The same store with strongly consistent reads (twice the read cost). */
  public OnlineStore withConsistentReads(boolean consistent) {
    return new OnlineStore(registry, config, connection, clock, aliasCache, consistent);
  }

  /** The same store with these SDK interceptors on its clients (metrics, tests). */
  public OnlineStore withConnection(DynamoConnection c) {
    return new OnlineStore(registry, config, c, clock, aliasCache, consistentRead);
  }

  public DynamoConnection connection() {
    return connection;
  }

  public OnlineConfig config() {
    return config;
  }

  /** The catalog (alias and watermark per group). */
  public OnlineCatalog catalog() {
    return new OnlineCatalog(connection, config);
  }

  /**
   * The record's features; all of them when {@code features} is empty.
   *
   * @param id the record identifier: a String, or a number (or its text) for an Integral identifier
   */
  public Optional<OnlineRecord> get(String group, Object id, String... features) {
    Reading reading = reading(group, features);
    Object key = normalizeId(reading.schema(), id);
    String table = liveTableOrFail(group);
    // GetItem, not a BatchGetItem of one key: the cheaper request (measured with ./bench online)
    Map<String, AttributeValue> item = connection.reader().getItem(b -> b.tableName(table)
        .key(Map.of(reading.schema().key(), ItemCodec.key(reading.schema(), key))).consistentRead(consistentRead)
        .projectionExpression(reading.projection()).expressionAttributeNames(reading.names())).item();
    if (item == null || item.isEmpty()) {
      return Optional.empty();
    }
    OnlineRecord rec = decode(reading.schema(), item, reading.wanted());
    return rec.expiredAt(clock.instant()) ? Optional.empty() : Optional.of(rec);
  }

  /**
   * Many records at once: BatchGetItem with at most 100 keys per call (more ids are chunked), unprocessed keys
   * retried with backoff. Returns the records found, keyed and ordered by id as given (duplicates once).
   */
  public Map<Object, OnlineRecord> batchGet(String group, Collection<?> ids, String... features) {
    return read(group, ids, features, false);
  }

  /** Like {@link #batchGet} but also returns expired records (for reconcile, which judges expiry itself). */
  public Map<Object, OnlineRecord> batchGetIncludingExpired(String group, Collection<?> ids) {
    return read(group, ids, new String[0], true);
  }

  /** The live table a group is served from, if it was materialized. */
  public Optional<String> liveTable(String group) {
    CachedAlias c = aliases.get(group);
    Instant now = clock.instant();
    if (c != null && now.isBefore(c.until())) {
      return Optional.of(c.table());
    }
    Optional<String> table = catalog().find(group).flatMap(OnlineCatalog.Entry::liveTable);
    table.ifPresent(t -> aliases.put(group, new CachedAlias(t, now.plus(aliasCache))));
    return table;
  }

  public ItemSchema schema(String group) {
    return reading(group, new String[0]).schema();
  }

  /**
   * What a read of some features of a group asks for: the item schema, the features and the projection (null for
   * all features: an item holds only the group's attributes, and a projection costs the server time on every read).
   */
  private record Reading(ItemSchema schema, List<String> wanted, String projection, Map<String, String> names) {}

  private final Map<List<String>, Reading> readings = new ConcurrentHashMap<>();

  /** Built once per group and feature list: a read then only sends its request and decodes. */
  private Reading reading(String group, String[] features) {
    List<String> cacheKey = new ArrayList<>(List.of(group));
    cacheKey.addAll(Arrays.asList(features));
    return readings.computeIfAbsent(cacheKey, k -> {
      FeatureGroup g = registry.group(group);
      ItemSchema schema = ItemSchema.of(g);
      List<String> wanted = wantedFeatures(g, features);
      if (features.length == 0) {
        return new Reading(schema, wanted, null, null);
      }
      Map<String, String> names = new HashMap<>();
      List<String> projection = new ArrayList<>();
      Set<String> attributes = new LinkedHashSet<>(List.of(schema.key(), ItemSchema.EVENT_TIME,
          ItemSchema.WRITE_TIME, ItemSchema.EXPIRES_AT));
      wanted.stream().filter(f -> !f.equals(schema.eventTimeFeature())).forEach(attributes::add);
      for (String a : attributes) {
        String alias = "#a" + names.size();
        names.put(alias, a);
        projection.add(alias);
      }
      return new Reading(schema, wanted, String.join(", ", projection), Map.copyOf(names));
    });
  }

  private String liveTableOrFail(String group) {
    return liveTable(group).orElseThrow(() -> new IllegalStateException("group '" + group
        + "' has no online table yet (catalog " + catalog().tableName() + " at " + connection.describe()
        + "); run: tidemark materialize " + group));
  }

  private Map<Object, OnlineRecord> read(String group, Collection<?> ids, String[] features,
      boolean includeExpired) {
    Reading reading = reading(group, features);
    ItemSchema schema = reading.schema();
    List<String> wanted = reading.wanted();
    String table = liveTableOrFail(group);
    Set<Object> keys = new LinkedHashSet<>();
    ids.forEach(id -> keys.add(normalizeId(schema, id)));
    Map<Object, OnlineRecord> found = new HashMap<>();
    DynamoDbClient client = connection.reader();
    List<Object> all = new ArrayList<>(keys);
    for (int from = 0; from < all.size(); from += BATCH_GET_KEYS) {
      List<Map<String, AttributeValue>> pending = new ArrayList<>();
      for (Object id : all.subList(from, Math.min(all.size(), from + BATCH_GET_KEYS))) {
        pending.add(Map.of(schema.key(), ItemCodec.key(schema, id)));
      }
      for (int attempt = 0; !pending.isEmpty(); attempt++) {
        if (attempt >= Retrying.MAX_ATTEMPTS) {
          throw new IllegalStateException("batchGet " + group + " from " + table + ": " + pending.size()
              + " keys still unprocessed after " + attempt + " attempts (throttled); retry later");
        }
        if (attempt > 0) {
          Retrying.pause(attempt);
        }
        KeysAndAttributes request = KeysAndAttributes.builder().keys(pending).consistentRead(consistentRead)
            .projectionExpression(reading.projection()).expressionAttributeNames(reading.names()).build();
        BatchGetItemResponse r = client.batchGetItem(b -> b.requestItems(Map.of(table, request)));
        for (Map<String, AttributeValue> item : r.responses().getOrDefault(table, List.of())) {
          OnlineRecord rec = decode(schema, item, wanted);
          found.put(rec.id(), rec);
        }
        KeysAndAttributes left = r.unprocessedKeys().get(table);
        pending = left == null ? List.of() : left.keys();
      }
    }
    Instant now = clock.instant();
    Map<Object, OnlineRecord> out = new LinkedHashMap<>();
    for (Object id : keys) {
      OnlineRecord rec = found.get(id);
      if (rec != null && (includeExpired || !rec.expiredAt(now))) {
        out.put(id, rec);
      }
    }
    return out;
  }

  private static List<String> wantedFeatures(FeatureGroup g, String[] features) {
    if (features.length == 0) {
      return g.featureNames();
    }
    for (String f : features) {
      if (g.feature(f).isEmpty()) {
        throw new IllegalArgumentException("group '" + g.name() + "' has no feature '" + f + "'; its features: "
            + String.join(", ", g.featureNames()));
      }
    }
    // the identifier and the event time always come back, then the requested features in definition order
    Set<String> asked = new LinkedHashSet<>(Arrays.asList(features));
    return g.featureNames().stream().filter(f -> f.equals(g.recordIdentifier()) || f.equals(g.eventTime())
        || asked.contains(f)).toList();
  }

  public static Object normalizeId(ItemSchema schema, Object id) {
    if (id == null) {
      throw new IllegalArgumentException("a null record id for group " + schema.group());
    }
    if (schema.keyType() != FeatureType.INTEGRAL) {
      return id.toString();
    }
    if (id instanceof Number n) {
      return n.longValue();
    }
    try {
      return Long.parseLong(id.toString().trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("group " + schema.group() + " identifies records by the Integral "
          + schema.key() + "; '" + id + "' is not a whole number");
    }
  }

  /** A record decoded from an item: typed values in definition order, null for NULL or missing attributes. */
  public static OnlineRecord decode(ItemSchema schema, Map<String, AttributeValue> item, Iterable<String> features) {
    AttributeValue w = item.get(ItemSchema.WRITE_TIME);
    AttributeValue x = item.get(ItemSchema.EXPIRES_AT);
    return new OnlineRecord(schema.group(), ItemCodec.id(schema, item),
        ItemCodec.parseTime(item.get(ItemSchema.EVENT_TIME).s()), w == null ? null : ItemCodec.parseTime(w.s()),
        x == null ? Optional.empty() : Optional.of(Instant.ofEpochSecond(Long.parseLong(x.n()))),
        ItemCodec.values(schema, item, features));
  }
}
