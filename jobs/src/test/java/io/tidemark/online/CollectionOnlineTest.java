package io.tidemark.online;

import static io.tidemark.online.OnlineTesting.MAY_10;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tidemark.Tidemark;
import io.tidemark.online.dynamo.ItemCodec;
import io.tidemark.online.dynamo.ItemSchema;
import io.tidemark.online.dynamo.ItemSize;
import io.tidemark.online.materialize.MaterializeResult;
import io.tidemark.online.materialize.ReconcileResult;
import io.tidemark.testing.GroupYaml;
import io.tidemark.testing.TestStore;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Lists, sets and vectors through materialize, the typed client and reconcile, on the dynalite server. */
class CollectionOnlineTest {
  static final String ITEMS = GroupYaml.group("items", "id").eventTime("t").feature("id", "String")
      .feature("tags", "String", "collection: list").feature("counts", "Integral", "collection: list")
      .feature("sizes", "Integral", "collection: set").feature("labels", "String", "collection: set")
      .feature("vec", "Fractional", "collection: vector, dimension: 3").feature("t", "Timestamp").online("30d")
      .yaml();
  static final String HEADER = "id,tags,counts,sizes,labels,vec,t\n";

  @Test
  void collectionsRoundTripWithTheirDynamoDbTypes() {
    TestStore store = new TestStore("online_coll").definition("items.yaml", ITEMS);
    Tidemark tm = OnlineTesting.tidemark(store);
    OnlineTesting.ingest(tm, store, "items", HEADER, """
        a,"[""x"", ""y"", ""x""]","[3, -1]","[30, 4, 4]","[""é"", ""z"", ""B""]","[0.5, -2, 1e-3]",2099-05-01T00:00:00Z
        b,[],[],[],[],"[0, 0, 0]",2099-05-01T00:00:00Z
        c,,,,,,2099-05-01T00:00:00Z
        """);
    MaterializeResult r = tm.materialize("items").execute();
    assertEquals(List.of(3L, 3L, 0L), List.of(r.records(), r.written(), r.oversized()));

    Map<String, Map<String, AttributeValue>> items = new TreeMap<>();
    OnlineTesting.client(tm).scanPaginator(b -> b.tableName(OnlineTesting.liveTable(tm, "items")).consistentRead(true))
        .items().forEach(i -> items.put(i.get("id").s(), i));
    Map<String, AttributeValue> a = items.get("a");
    assertEquals(List.of("x", "y", "x"), a.get("tags").l().stream().map(AttributeValue::s).toList());
    assertEquals(List.of("3", "-1"), a.get("counts").l().stream().map(AttributeValue::n).toList());
    assertEquals(Set.of("4", "30"), Set.copyOf(a.get("sizes").ns()));
    assertEquals(Set.of("B", "z", "é"), Set.copyOf(a.get("labels").ss()));
    assertEquals(SdkBytes.fromByteArray(java.nio.ByteBuffer.allocate(24).putDouble(0.5).putDouble(-2.0)
        .putDouble(0.001).array()), a.get("vec").b());
    // an empty set is an empty L: DynamoDB stores no empty SS or NS
    Map<String, AttributeValue> b = items.get("b");
    assertEquals(List.of(true, true, true, true), List.of(b.get("tags").hasL() && b.get("tags").l().isEmpty(),
        b.get("sizes").hasL() && b.get("sizes").l().isEmpty(), b.get("labels").hasL() && b.get("labels").l().isEmpty(),
        !b.get("sizes").hasNs()));
    assertEquals(true, items.get("c").get("tags").nul());

    OnlineStore online = tm.onlineStore().withClock(MAY_10);
    OnlineRecord ra = online.get("items", "a").orElseThrow();
    assertEquals(List.of("x", "y", "x"), ra.get("tags"));
    assertEquals(List.of(3L, -1L), ra.get("counts"));
    assertEquals(List.of(4L, 30L), new ArrayList<>((Set<?>) ra.get("sizes")));
    // a set comes back in Spark's order: by code point (B < z < é), whatever order DynamoDB returns
    assertEquals(List.of("B", "z", "é"), new ArrayList<>((Set<?>) ra.get("labels")));
    assertArrayEquals(new double[] {0.5, -2.0, 0.001}, (double[]) ra.get("vec"));
    OnlineRecord rb = online.batchGet("items", List.of("b", "c"), "tags", "sizes", "labels", "vec").get("b");
    assertEquals(List.of(List.of(), Set.of(), new LinkedHashSet<>()), List.of(rb.get("tags"), rb.get("sizes"),
        rb.get("labels")));
    assertArrayEquals(new double[] {0.0, 0.0, 0.0}, (double[]) rb.get("vec"));
    OnlineRecord rc = online.get("items", "c").orElseThrow();
    assertEquals(java.util.Arrays.asList(null, null, null, null, null), java.util.Arrays.asList(rc.get("tags"),
        rc.get("counts"), rc.get("sizes"), rc.get("labels"), rc.get("vec")));

    ReconcileResult rec = tm.reconcile("items").execute();
    assertEquals(List.of(3L, 0L, 0L, 0L, 0L), List.of(rec.matched(), rec.missing(), rec.stale(), rec.mismatched(),
        rec.orphaned()));
  }

  @Test
  void collectionItemsAreSizedByDynamoDbsRules() {
    ItemSchema schema = new ItemSchema("g", "id", io.tidemark.definitions.FeatureType.STRING, "t", List.of(
        new ItemSchema.Attribute("l", io.tidemark.definitions.FeatureType.INTEGRAL,
            io.tidemark.definitions.FeatureCollection.list(10)),
        new ItemSchema.Attribute("s", io.tidemark.definitions.FeatureType.STRING,
            io.tidemark.definitions.FeatureCollection.set(10)),
        new ItemSchema.Attribute("v", io.tidemark.definitions.FeatureType.FRACTIONAL,
            io.tidemark.definitions.FeatureCollection.vector(2))), 0);
    java.time.Instant t = java.time.Instant.parse("2024-05-01T00:00:00Z");
    Map<String, AttributeValue> item = ItemCodec.item(schema, "k", t, t, new Object[] {List.of(12L, 3456L),
        List.of("ab", "c"), new double[] {1.0, 2.0}});
    // id 2+1, l 1 + (3 + (1+2) + (1+3)), s 1 + 3, v 1 + 16, event_time and write_time (10+27, 10+27)
    assertEquals(3 + 11 + 4 + 17 + 37 + 37, ItemSize.of(item));
    IllegalArgumentException nan = assertThrows(IllegalArgumentException.class, () -> ItemCodec.item(schema, "k", t,
        t, new Object[] {null, null, new double[] {Double.NaN, 1.0}}));
    assertEquals("feature g.v of record k holds NaN; fix the offline row (ingest rejects such values)",
        nan.getMessage());
  }
}
