package io.tidemark.online.materialize;

import static io.tidemark.online.OnlineTesting.HEADER;
import static io.tidemark.online.OnlineTesting.MAY_10;
import static io.tidemark.online.OnlineTesting.USERS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tidemark.Tidemark;
import io.tidemark.online.Faults;
import io.tidemark.online.OnlineRecord;
import io.tidemark.online.OnlineStore;
import io.tidemark.online.OnlineTesting;
import io.tidemark.testing.TestStore;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FullLoadTest {
  @Test
  void firstLoadWritesTheLatestRowPerIdAsTypedItemsWithTtl() {
    TestStore store = new TestStore("online_full").definition("users.yaml", USERS);
    Tidemark tm = OnlineTesting.tidemark(store);
    OnlineTesting.ingest(tm, store, "users", HEADER, """
        u1,30,1.5,true,2099-01-01T00:00:00Z,first,2099-05-01T00:00:00Z
        u1,31,1.0E-7,true,2099-01-01T00:00:00Z,second,2099-05-02T00:00:00Z
        u2,40,1.2345678901234E20,false,,,2099-05-01T00:00:00Z
        u3,50,,true,,"a, b",2099-05-03T12:30:00.123456Z
        """);
    OnlineTesting.delete(tm, store, "users", "u2,2099-05-05T00:00:00Z\n");

    Faults.Recorder.CALLS.clear();
    MaterializeResult r = new MaterializeAction(tm.spark(), tm.offlineStore(), tm.onlineStore().withConnection(
        tm.onlineStore().connection().withInterceptors(List.of(Faults.Recorder.class))), tm.registry().group("users"))
        .execute();

    String table = store.database + "_users__v1";
    assertEquals("full", r.mode());
    assertEquals(table, r.table());
    assertEquals(Optional.of(2L), r.offlineVersion());
    assertEquals(List.of(3L, 2L, 0L, 1L, 0L), List.of(r.records(), r.written(), r.skippedStale(), r.deleted(),
        r.oversized()));
    assertEquals(table, OnlineTesting.liveTable(tm, "users"));
    long may2 = Instant.parse("2099-05-02T00:00:00Z").getEpochSecond() + 30 * 86400;
    long may3 = Instant.parse("2099-05-03T12:30:00Z").getEpochSecond() + 30 * 86400;
    List<String> items = OnlineTesting.scan(tm, table);
    assertEquals(2, items.size());
    String writeTime = items.get(0).replaceAll(".*write_time=S:([^,}]*).*", "$1");
    assertEquals(List.of(
        // DynamoDB keeps numbers in its own normal form: 1.0E-7 comes back as 0.0000001
        "{active=BOOL:true, age=N:31, event_time=S:2099-05-02T00:00:00.000000Z, expires_at=N:" + may2
            + ", note=S:second, score=N:0.0000001, signup=S:2099-01-01T00:00:00.000000Z, user_id=S:u1, write_time=S:"
            + writeTime + "}",
        "{active=BOOL:true, age=N:50, event_time=S:2099-05-03T12:30:00.123456Z, expires_at=N:" + may3
            + ", note=S:a, b, score=NULL, signup=NULL, user_id=S:u3, write_time=S:" + writeTime + "}"), items);

    // the table is asked for TTL on expires_at (dynalite, having no TTL, refuses it; readers hide expired items)
    assertEquals(List.of("UpdateTimeToLive " + table + " expires_at enabled=true"), Faults.Recorder.CALLS.stream()
        .filter(c -> c.startsWith("UpdateTimeToLive")).toList());

    OnlineStore online = tm.onlineStore().withClock(MAY_10);
    OnlineRecord u1 = online.get("users", "u1").orElseThrow();
    Map<String, Object> expected = new LinkedHashMap<>();
    expected.put("user_id", "u1");
    expected.put("age", 31L);
    expected.put("score", 1.0E-7);
    expected.put("active", true);
    expected.put("signup", Instant.parse("2099-01-01T00:00:00Z"));
    expected.put("note", "second");
    expected.put("event_time", Instant.parse("2099-05-02T00:00:00Z"));
    assertEquals(expected, u1.features());
    assertEquals(List.copyOf(expected.keySet()), List.copyOf(u1.features().keySet()));
    assertEquals(Optional.of(Instant.ofEpochSecond(may2)), u1.expiresAt());
    assertEquals(Map.of("user_id", "u1", "age", 31L, "event_time", Instant.parse("2099-05-02T00:00:00Z")),
        online.get("users", "u1", "age").orElseThrow().features());
    assertEquals(Optional.empty(), online.get("users", "u2"));
    assertEquals(Optional.empty(), online.get("users", "nobody"));
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
        () -> online.get("users", "u1", "agee"));
    assertEquals("group 'users' has no feature 'agee'; its features: user_id, age, score, active, signup, note, "
        + "event_time", bad.getMessage());
  }

  @Test
  void expiredRecordsAreHiddenBeforeDynamoDbDeletesThem() {
    TestStore store = new TestStore("online_ttl").definition("users.yaml", USERS);
    Tidemark tm = OnlineTesting.tidemark(store);
    OnlineTesting.ingest(tm, store, "users", HEADER, """
        u1,30,1.5,true,,,2099-05-01T00:00:00Z
        u2,40,2.5,false,,,2099-05-20T00:00:00Z
        """);
    tm.materialize("users").execute();
    OnlineStore online = tm.onlineStore();
    Instant u1Expiry = Instant.parse("2099-05-31T00:00:00Z");

    assertEquals(List.of("u1", "u2"), List.copyOf(online.withClock(at(u1Expiry.minusSeconds(1)))
        .batchGet("users", List.of("u1", "u2")).keySet()));
    assertEquals(List.of("u2"), List.copyOf(online.withClock(at(u1Expiry)).batchGet("users", List.of("u1", "u2"))
        .keySet()));
    assertEquals(Optional.empty(), online.withClock(at(u1Expiry)).get("users", "u1"));
    // the item is still in the table: only the client hides it
    assertEquals(2, OnlineTesting.scan(tm, OnlineTesting.liveTable(tm, "users")).size());
  }

  static Clock at(Instant t) {
    return Clock.fixed(t, ZoneOffset.UTC);
  }
}
