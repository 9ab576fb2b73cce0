package io.tidemark.online;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * The online catalog: a small DynamoDB table ({@code <prefix>_catalog}) with one item per group holding the alias
 * (the live table version readers use), the durable watermark (the offline Delta version the live table reflects),
 * the table being loaded by a full reload, and replaced tables waiting for their grace period to end. Every
 * change is a conditional update, so a reader sees either the old or the new live table, never a half-loaded one.
 */
public final class OnlineCatalog {
  static final String GROUP = "group";
  private static final String LIVE = "live_table";
  private static final String WATERMARK = "watermark";
  private static final String LAST_VERSION = "last_version";
  private static final String LOADING = "loading_table";
  private static final String HEARTBEAT = "loading_heartbeat";
  private static final String RETIRED = "retired";
  private static final String MATERIALIZED_AT = "materialized_at";

  /** A table replaced by a full reload at {@code retiredAt}; deleted once the grace period has passed. */
  public record Retired(String table, Instant retiredAt) {}

  /**
   * A group's catalog item.
   *
   * @param watermark the offline table version whose changes are all in the live table
   * @param lastVersion the highest table version number used so far
   */
  public record Entry(String group, Optional<String> liveTable, Optional<Long> watermark, long lastVersion,
      Optional<String> loadingTable, Optional<Instant> loadingHeartbeat, List<Retired> retired,
      Optional<Instant> materializedAt) {
    public Entry {
      retired = List.copyOf(retired);
    }
  }

  private final DynamoDbClient client;
  private final String table;
  private final OnlineTables tables;

  OnlineCatalog(DynamoConnection connection, OnlineConfig config) {
    this.client = connection.reader();
    this.table = config.tablePrefix() + "_catalog";
    this.tables = new OnlineTables(connection, config);
  }

  public String tableName() {
    return table;
  }

  void ensureTable() {
    if (tables.describe(table).isEmpty()) {
      tables.create(table, GROUP, ScalarAttributeType.S, Optional.empty());
    }
  }

  /** The group's entry (consistent read); empty when never materialized or when the catalog does not exist. */
  public Optional<Entry> find(String group) {
    Map<String, AttributeValue> item;
    try {
      item = client.getItem(b -> b.tableName(table).key(key(group)).consistentRead(true)).item();
    } catch (software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException e) {
      return Optional.empty();
    }
    if (item == null || item.isEmpty()) {
      return Optional.empty();
    }
    List<Retired> retired = new ArrayList<>();
    if (item.containsKey(RETIRED)) {
      item.get(RETIRED).l().forEach(v -> retired.add(new Retired(v.m().get("table").s(),
          Instant.parse(v.m().get("retired_at").s()))));
    }
    return Optional.of(new Entry(group, str(item, LIVE), str(item, WATERMARK).map(Long::parseLong),
        str(item, LAST_VERSION).map(Long::parseLong).orElse(0L), str(item, LOADING),
        str(item, HEARTBEAT).map(Instant::parse), retired, str(item, MATERIALIZED_AT).map(Instant::parse)));
  }

  /**
   * Reserves the next table version for a full reload and records it as loading, with a heartbeat the load
   * renews ({@link #heartbeat}) so that other runs can tell a running load from a dead one; returns its number.
   */
  long beginLoad(String group, Optional<Entry> current, String loadingTable, long version, Instant now) {
    Map<String, AttributeValue> values = new HashMap<>();
    values.put(":v", num(version));
    values.put(":t", s(loadingTable));
    values.put(":hb", s(now.toString()));
    String condition = "attribute_not_exists(#g)";
    if (current.isPresent()) {
      values.put(":prev", num(current.get().lastVersion()));
      condition = "#lv = :prev";
    }
    update(group, "SET #lv = :v, #ld = :t, #hb = :hb", condition, values, "another full reload of " + group
        + " started at the same time; let it finish, then re-run if needed");
    return version;
  }

  /**
   * Points the alias at {@code newTable} with its watermark, and retires the previous live table. Fails when the
   * live table is no longer {@code previous} (another load switched meanwhile).
   */
  void switchLive(String group, String newTable, Optional<Long> watermark, Optional<String> previous, Instant now) {
    Map<String, AttributeValue> values = new HashMap<>();
    values.put(":n", s(newTable));
    values.put(":now", s(now.toString()));
    values.put(":none", AttributeValue.builder().l(List.of()).build());
    List<AttributeValue> retired = new ArrayList<>();
    previous.ifPresent(p -> retired.add(AttributeValue.builder().m(Map.of("table", s(p), "retired_at",
        s(now.toString()))).build()));
    values.put(":old", AttributeValue.builder().l(retired).build());
    String set = "SET #lt = :n, #ma = :now, #rt = list_append(if_not_exists(#rt, :none), :old)";
    if (watermark.isPresent()) {
      values.put(":w", num(watermark.get()));
      set += ", #wm = :w";
    } else {
      set += " REMOVE #wm";
    }
    String condition;
    if (previous.isPresent()) {
      values.put(":p", s(previous.get()));
      condition = "#lt = :p";
    } else {
      condition = "attribute_not_exists(#lt)";
    }
    update(group, set + (watermark.isPresent() ? " REMOVE #ld, #hb" : ", #ld, #hb"), condition, values,
        "the live table of " + group + " changed while this full reload ran (another reload switched it); "
            + "re-run materialize --full");
  }

  /**
   * Records that the live table now reflects offline version {@code watermark}. The watermark only moves forward:
   * a concurrent run that got further keeps its higher watermark. False when the alias moved to another table.
   */
  boolean advanceWatermark(String group, String liveTable, long watermark, Instant now) {
    try {
      update(group, "SET #wm = :w, #ma = :now", "#lt = :t AND (attribute_not_exists(#wm) OR #wm < :w)",
          Map.of(":w", num(watermark), ":now", s(now.toString()), ":t", s(liveTable)), null);
      return true;
    } catch (ConditionalCheckFailedException e) {
      return find(group).flatMap(Entry::liveTable).filter(liveTable::equals).isPresent();
    }
  }

  /** Renews the heartbeat of a running full reload; false when {@code loadingTable} is no longer loading. */
  boolean heartbeat(String group, String loadingTable, Instant now) {
    try {
      update(group, "SET #hb = :hb", "#ld = :t", Map.of(":hb", s(now.toString()), ":t", s(loadingTable)), null);
      return true;
    } catch (ConditionalCheckFailedException e) {
      return false;
    }
  }

  /** Replaces the list of retired tables (after deleting those past their grace period). */
  void keepRetired(String group, List<Retired> keep) {
    List<AttributeValue> l = keep.stream().map(r -> AttributeValue.builder().m(Map.of("table", s(r.table()),
        "retired_at", s(r.retiredAt().toString()))).build()).toList();
    update(group, "SET #rt = :r", "attribute_exists(#g)", Map.of(":r", AttributeValue.builder().l(l).build()),
        null);
  }

  /** Forgets an abandoned loading table (deleted by the caller), unless another load took its place meanwhile. */
  void clearLoading(String group, String abandoned) {
    update(group, "REMOVE #ld, #hb", "#ld = :t", Map.of(":t", s(abandoned)), "another full reload of " + group
        + " started while this one removed the abandoned table " + abandoned + "; let it finish");
  }

  private void update(String group, String expression, String condition, Map<String, AttributeValue> values,
      String conflict) {
    Map<String, String> names = new HashMap<>();
    for (String[] n : new String[][] {{"#g", GROUP}, {"#lt", LIVE}, {"#wm", WATERMARK}, {"#lv", LAST_VERSION},
        {"#ld", LOADING}, {"#hb", HEARTBEAT}, {"#rt", RETIRED}, {"#ma", MATERIALIZED_AT}}) {
      if (expression.contains(n[0]) || condition.contains(n[0])) {
        names.put(n[0], n[1]);
      }
    }
    try {
      client.updateItem(b -> b.tableName(table).key(key(group)).updateExpression(expression)
          .conditionExpression(condition).expressionAttributeNames(names)
          .expressionAttributeValues(values.isEmpty() ? null : values));
    } catch (ConditionalCheckFailedException e) {
      if (conflict == null) {
        throw e;
      }
      throw new IllegalStateException("online catalog " + table + ": " + conflict, e);
    }
  }

  private static Map<String, AttributeValue> key(String group) {
    return Map.of(GROUP, s(group));
  }

  private static AttributeValue s(String v) {
    return AttributeValue.builder().s(v).build();
  }

  private static AttributeValue num(long v) {
    return AttributeValue.builder().n(Long.toString(v)).build();
  }

  private static Optional<String> str(Map<String, AttributeValue> item, String name) {
    AttributeValue v = item.get(name);
    return v == null ? Optional.empty() : Optional.ofNullable(v.s() != null ? v.s() : v.n());
  }
}
