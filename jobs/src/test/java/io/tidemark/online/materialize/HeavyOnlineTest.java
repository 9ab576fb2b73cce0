package io.tidemark.online.materialize;

import static io.tidemark.online.OnlineTesting.HEADER;
import static io.tidemark.online.OnlineTesting.USERS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tidemark.Tidemark;
import io.tidemark.online.Faults;
import io.tidemark.online.OnlineTesting;
import io.tidemark.testing.TestStore;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The fault scenarios at a larger scale: 20,000 records, three versions, throttling and killed loads. */
@Tag("heavy")
class HeavyOnlineTest {
  @Test
  void killedAndThrottledLoadsEndEqualToTheSnapshot() {
    int n = 20_000;
    TestStore store = new TestStore("online_heavy").definition("users.yaml", USERS);
    Tidemark tm = OnlineTesting.tidemark(store, Map.of("online.write_tasks", "8"));
    Map<String, String> expected = new TreeMap<>();
    StringBuilder a = new StringBuilder();
    StringBuilder b = new StringBuilder();
    StringBuilder d = new StringBuilder();
    long[] newer = new long[1];
    long[] late = new long[1];
    long[] deleted = new long[1];
    for (int i = 1; i <= n; i++) {
      String id = String.format("u%06d", i);
      a.append(MaterializeTest.row(id, i, "2099-05-01T00:00:00Z"));
      expected.put(id, i + "@2099-05-01T00:00:00Z");
      if (i % 3 == 0) {
        b.append(MaterializeTest.row(id, -i, "2099-05-02T00:00:00Z"));
        expected.put(id, -i + "@2099-05-02T00:00:00Z");
        newer[0]++;
      } else if (i % 7 == 0) {
        late[0]++;
        b.append(MaterializeTest.row(id, 0, "2099-04-01T00:00:00Z")); // late
      } else if (i % 11 == 0) {
        d.append(id).append(",2099-05-03T00:00:00Z\n");
        expected.remove(id);
        deleted[0]++;
      }
    }
    var faulty = tm.onlineStore().connection().withInterceptors(List.of(Faults.Throttler.class));
    var crashing = tm.onlineStore().connection().withInterceptors(List.of(Faults.Crasher.class));
    OnlineTesting.ingest(tm, store, "users", HEADER, a.toString());
    Faults.Crasher.ALLOWED.set(300);
    assertThrows(Exception.class, () -> tm.materialize("users").writeConnection(crashing).execute());
    Faults.Crasher.ALLOWED.set(Integer.MAX_VALUE);
    Faults.Throttler.rate = 0.3;
    try {
      assertEquals(n, tm.materialize("users").writeConnection(faulty).execute().written());
      OnlineTesting.ingest(tm, store, "users", HEADER, b.toString());
      OnlineTesting.delete(tm, store, "users", d.toString());
      Faults.Crasher.ALLOWED.set(100); // of about 400 batch writes
      assertThrows(Exception.class, () -> tm.materialize("users").writeConnection(crashing).execute());
      Faults.Crasher.ALLOWED.set(Integer.MAX_VALUE);
      MaterializeResult r = tm.materialize("users").writeConnection(faulty).execute();
      assertEquals(List.of(newer[0] + late[0] + deleted[0], newer[0], late[0], deleted[0]),
          List.of(r.records(), r.written(), r.skippedStale(), r.deleted()));
    } finally {
      Faults.Throttler.rate = 0;
    }
    assertEquals(expected, MaterializeTest.online(tm));
  }
}
