package io.tidemark.online.dynamo;

import io.tidemark.online.dynamo.OnlineConfig;
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
 * the writer lease (the one run allowed to write the group's online tables), the table being loaded by a full
 * reload, and replaced tables waiting for their grace period to end. Every change is a conditional update, so a
 * reader sees either the old or the new live table, never a half-loaded one, and only the lease holder changes it.
 */
public final class OnlineCatalog {
  static final String GROUP = "group";
  private static final String LIVE = "live_table";
  private static final String WATERMARK = "watermark";
  private static final String LAST_VERSION = "last_version";
  private static final String LOADING = "loading_table";
  static final String LEASE_OWNER = "lease_owner";
  private static final String LEASE_SINCE = "lease_since";
  static final String LEASE_UNTIL = "lease_until";
  private static final String RETIRED = "retired";
  private static final String MATERIALIZED_AT = "materialized_at";

  /** A table replaced by a full reload at {@code retiredAt}; deleted once the grace period has passed. */
  public record Retired(String table, Instant retiredAt) {}

  /** Who holds a group's writer lease, since when, and until when unless renewed. */
  public record Lease(String owner, Instant since, Instant until) {}

  /**
   * A group's catalog item.
   *
   * @param watermark the offline table version whose changes are all in the live table
   * @param lastVersion the highest table version number used so far
   */
  public record Entry(String group, Optional<String> liveTable, Optional<Long> watermark, long lastVersion,
      Optional<String> loadingTable, Optional<Lease> lease, List<Retired> retired,
      Optional<Instant> materializedAt) {
    public Entry {
      retired = List.copyOf(retired);
    }
  }

  private final DynamoDbClient client;
  private final String table;
  private final OnlineTables tables;

  public OnlineCatalog(DynamoConnection connection, OnlineConfig config) {
    this.client = connection.reader();
    this.table = config.tablePrefix() + "_catalog";
    this.tables = new OnlineTables(connection, config);
  }

  public String tableName() {
    return table;
  }

  public void ensureTable() {
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
        str(item, LAST_VERSION).map(Long::parseLong).orElse(0L), str(item, LOADING), lease(item), retired,
        str(item, MATERIALIZED_AT).map(Instant::parse)));
  }

  private static Optional<Lease> lease(Map<String, AttributeValue> item) {
    return str(item, LEASE_OWNER).map(owner -> new Lease(owner, str(item, LEASE_SINCE).map(Instant::parse)
        .orElse(Instant.EPOCH), Instant.ofEpochMilli(str(item, LEASE_UNTIL).map(Long::parseLong).orElse(0L))));
  }

  /**
   * Takes the group's writer lease for {@code owner} until {@code until}, when no one holds it or the holder's
   * lease has run out (a run that died). Empty when taken; else the lease that someone else holds.
   */
  public Optional<Lease> acquireLease(String group, String owner, Instant now, Instant until) {
    Optional<Lease> held = Optional.empty();
    for (int attempt = 0; attempt < 3; attempt++) {
      try {
        update(group, "SET #lo = :o, #ls = :now, #lu = :u", "attribute_not_exists(#lo) OR #lu < :ms OR #lo = :o",
            Map.of(":o", s(owner), ":now", s(now.toString()), ":u", num(until.toEpochMilli()),
                ":ms", num(now.toEpochMilli())), null);
        return Optional.empty();
      } catch (ConditionalCheckFailedException e) {
        held = find(group).flatMap(Entry::lease);
        if (held.isPresent()) {
          return held;
        } // released between the update and the read: try again
      }
    }
    throw new IllegalStateException("online catalog " + table + ": the writer lease of " + group + " kept changing "
        + "hands while this run tried to take it; re-run");
  }

  /** Extends the lease of {@code owner}; false when it no longer holds it. */
  public boolean renewLease(String group, String owner, Instant until) {
    try {
      update(group, "SET #lu = :u", "#lo = :o", Map.of(":o", s(owner), ":u", num(until.toEpochMilli())), null);
      return true;
    } catch (ConditionalCheckFailedException e) {
      return false;
    }
  }

  /** Gives the lease of {@code owner} back; nothing when it no longer holds it. */
  public void releaseLease(String group, String owner) {
    try {
      update(group, "REMOVE #lo, #ls, #lu", "#lo = :o", Map.of(":o", s(owner)), null);
    } catch (ConditionalCheckFailedException e) {
      // another run took it over after it ran out: it is theirs now
    }
  }

  /** Reserves table version {@code version} for a full reload by the lease holder and records it as loading. */
  public void beginLoad(String group, String owner, long previousVersion, String loadingTable, long version) {
    update(group, "SET #lv = :v, #ld = :t", "#lo = :o AND (attribute_not_exists(#lv) OR #lv = :prev)",
        Map.of(":v", num(version), ":t", s(loadingTable), ":o", s(owner), ":prev", num(previousVersion)),
        lostLease(group, owner));
  }

  /**
   * Points the alias at {@code newTable} with its watermark, and retires the previous live table. Fails when the
   * live table is no longer {@code previous} (another load switched meanwhile).
   */
  public void switchLive(String group, String owner, String newTable, Optional<Long> watermark, Optional<String> previous,
      Instant now) {
    Map<String, AttributeValue> values = new HashMap<>();
    values.put(":o", s(owner));
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
      condition = "#lo = :o AND #lt = :p";
    } else {
      condition = "#lo = :o AND attribute_not_exists(#lt)";
    }
    update(group, set + (watermark.isPresent() ? " REMOVE #ld" : ", #ld"), condition, values,
        lostLease(group, owner) + " (or the live table changed while this full reload ran); re-run "
            + "materialize --full");
  }

  /**
   * Records that the live table now reflects offline version {@code watermark}, if {@code owner} still holds the
   * lease and the alias still points at {@code liveTable}. The watermark only moves forward.
   */
  public void advanceWatermark(String group, String owner, String liveTable, long watermark, Instant now) {
    update(group, "SET #wm = :w, #ma = :now", "#lo = :o AND #lt = :t AND (attribute_not_exists(#wm) OR #wm <= :w)",
        Map.of(":w", num(watermark), ":now", s(now.toString()), ":t", s(liveTable), ":o", s(owner)),
        lostLease(group, owner) + " (or its live table or watermark moved)");
  }

  private static String lostLease(String group, String owner) {
    return "this run (" + owner + ") no longer holds the writer lease of " + group + ": it ran out while the run "
        + "was stalled and another run took over";
  }

  /** Replaces the list of retired tables (after deleting those past their grace period). */
  public void keepRetired(String group, List<Retired> keep) {
    List<AttributeValue> l = keep.stream().map(r -> AttributeValue.builder().m(Map.of("table", s(r.table()),
        "retired_at", s(r.retiredAt().toString()))).build()).toList();
    update(group, "SET #rt = :r", "attribute_exists(#g)", Map.of(":r", AttributeValue.builder().l(l).build()),
        null);
  }

  /** Forgets an abandoned loading table (deleted by the caller), unless another load took its place meanwhile. */
  public void clearLoading(String group, String abandoned) {
    update(group, "REMOVE #ld", "#ld = :t", Map.of(":t", s(abandoned)), "another full reload of " + group
        + " started while this one removed the abandoned table " + abandoned + "; let it finish");
  }

  private void update(String group, String expression, String condition, Map<String, AttributeValue> values,
      String conflict) {
    Map<String, String> names = new HashMap<>();
    for (String[] n : new String[][] {{"#g", GROUP}, {"#lt", LIVE}, {"#wm", WATERMARK}, {"#lv", LAST_VERSION},
        {"#ld", LOADING}, {"#rt", RETIRED}, {"#ma", MATERIALIZED_AT}, {"#lo", LEASE_OWNER},
        {"#ls", LEASE_SINCE}, {"#lu", LEASE_UNTIL}}) {
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
