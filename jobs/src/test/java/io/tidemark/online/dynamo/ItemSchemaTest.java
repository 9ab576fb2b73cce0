package io.tidemark.online.dynamo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tidemark.online.OnlineStore;
import io.tidemark.testing.TestStore;
import java.util.List;
import org.junit.jupiter.api.Test;

class ItemSchemaTest {
  private static final String GROUP = """
      name: g
      description: d
      owner: o
      record_identifier: id
      event_time: ts
      features:
        - {name: id, type: Integral}
        - {name: %s, type: String}
        - {name: ts, type: Timestamp}
      online:
        enabled: %s
        ttl: 2h
      """;

  @Test
  void schemaFollowsTheDefinition() {
    TestStore store = new TestStore("item_schema").definition("g.yaml", GROUP.formatted("label", "true"));
    ItemSchema s = ItemSchema.of(store.registry().group("g"));
    assertEquals(List.of("id", "ts", List.of("label"), 7200L),
        List.of(s.key(), s.eventTimeFeature(), s.valueNames(), s.ttlSeconds()));
    assertEquals(7L, OnlineStore.normalizeId(s, "7"));
    assertEquals(7L, OnlineStore.normalizeId(s, 7));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnlineStore.normalizeId(s, "x"));
    assertEquals("group g identifies records by the Integral id; 'x' is not a whole number", e.getMessage());
  }

  @Test
  void reservedAttributeNamesAndOfflineOnlyGroupsAreRefused() {
    TestStore store = new TestStore("item_schema_bad").definition("g.yaml", GROUP.formatted("expires_at", "true"));
    // refused when the definitions load (groups list, ingest), not first at materialize
    io.tidemark.definitions.DefinitionException d = assertThrows(io.tidemark.definitions.DefinitionException.class,
        store::registry);
    assertEquals(store.path("feature-definitions/g.yaml") + ":8: feature 'expires_at' of an online group has the name "
        + "of an attribute Tidemark sets on every online item (event_time, write_time, expires_at) (rename the "
        + "feature)", d.problems().get(0).toString());

    TestStore off = new TestStore("item_schema_off").definition("g.yaml", GROUP.formatted("label", "false"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ItemSchema.of(off.registry().group("g")));
    assertEquals("group 'g' is not online-enabled; set online: {enabled: true} in "
        + off.path("feature-definitions/g.yaml") + " to serve it from DynamoDB", e.getMessage());
  }

  /** Item times read back exactly, through the fast path for Tidemark's fixed width and the formatter otherwise. */
  @Test
  void itemTimesReadBackExactly() {
    for (String t : List.of("1970-01-01T00:00:00Z", "2024-02-29T23:59:59.999999Z", "2099-05-01T12:00:00.000001Z",
        "0001-01-01T00:00:00Z", "1969-12-31T23:59:59.500Z")) {
      java.time.Instant instant = java.time.Instant.parse(t);
      String text = ItemCodec.time(instant);
      assertEquals(27, text.length(), text);
      assertEquals(instant, ItemCodec.parseTime(text), text);
    }
    assertEquals(java.time.Instant.parse("2024-05-01T12:00:00.123456Z"),
        ItemCodec.parseTime("2024-05-01T12:00:00.123456Z"));
    assertThrows(java.time.DateTimeException.class, () -> ItemCodec.parseTime("2023-02-29T00:00:00.000000Z"));
    assertThrows(java.time.DateTimeException.class, () -> ItemCodec.parseTime("2023-02-28 00:00:00.000000Z"));
  }
}
