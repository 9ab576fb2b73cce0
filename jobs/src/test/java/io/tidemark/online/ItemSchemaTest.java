package io.tidemark.online;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
}
