package io.tidemark.asof;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tidemark.testing.TestSpark;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The as-of join against a brute-force reference written here from the rules alone: for every spine row, list
 * the candidates, sort them, take the greatest. Small random histories with many ties (times on a coarse grid,
 * few write times, tombstones, null values, duplicate spine rows, unknown ids), many seeds, random options.
 */
class AsOfRandomizedTest {
  static final Instant BASE = Instant.parse("2024-06-01T00:00:00Z");

  /** One history row as the reference sees it. */
  record H(String id, long e, Long v, String s, long w, boolean d) {}

  /** One spine row. */
  record S(int row, String id, Long t) {}

  record Case(List<H> history, List<S> spine) {}

  static Case generate(long seed, int seeds) {
    Random rnd = new Random(seed);
    List<H> history = new ArrayList<>();
    List<S> spine = new ArrayList<>();
    for (int k = 0; k < seeds; k++) {
      int keys = 1 + rnd.nextInt(4);
      for (int key = 0; key < keys; key++) {
        String id = "s" + k + "_" + key;
        int versions = rnd.nextInt(7);
        for (int i = 0; i < versions; i++) {
          // minutes on a 20-minute grid: many equal event times; write times in a few batches
          long e = rnd.nextInt(20) * 60_000_000L;
          long w = rnd.nextInt(4) * 10 * 60_000_000L + (rnd.nextBoolean() ? e : 0);
          boolean d = rnd.nextInt(6) == 0;
          Long v = d || rnd.nextInt(5) == 0 ? null : (long) rnd.nextInt(3);
          String s = d || rnd.nextInt(5) == 0 ? null : String.valueOf((char) ('a' + rnd.nextInt(3)));
          history.add(new H(id, e, v, s, w, d));
        }
      }
      int rows = 1 + rnd.nextInt(8);
      for (int i = 0; i < rows; i++) {
        String id = rnd.nextInt(8) == 0 ? "s" + k + "_none" : "s" + k + "_" + rnd.nextInt(keys);
        Long t = rnd.nextInt(15) == 0 ? null : (long) rnd.nextInt(25) * 60_000_000L + (rnd.nextBoolean() ? 0 : 1);
        S row = new S(spine.size(), id, t);
        spine.add(row);
        if (rnd.nextInt(6) == 0) {
          spine.add(new S(spine.size(), id, t));
        }
      }
    }
    return new Case(history, spine);
  }

  /** Candidate rules 1, 2 and 8, read literally. */
  static boolean candidate(H h, S s, AsOfOptions o, Optional<Duration> ttl) {
    long delay = o.delay().toNanos() / 1000;
    long limit = s.t() - delay;
    boolean inTime = o.strict() ? h.e() < limit : h.e() <= limit;
    boolean inTtl = ttl.isEmpty() || h.e() >= s.t() - ttl.get().toNanos() / 1000;
    boolean known = !o.asKnownAt() || h.w() <= s.t();
    boolean written = o.asOf().isEmpty() || h.w() <= micros(o.asOf().get());
    return h.id().equals(s.id()) && inTime && inTtl && known && written;
  }

  static final Comparator<H> ORDER = Comparator.comparingLong(H::e).thenComparingLong(H::w)
      .thenComparing(H::d).thenComparing(H::v, Comparator.nullsFirst(Comparator.naturalOrder()))
      .thenComparing(H::s, Comparator.nullsFirst(Comparator.naturalOrder()));

  static List<String> reference(Case c, AsOfOptions o, Optional<Duration> ttl) {
    List<String> out = new ArrayList<>();
    for (S s : c.spine()) {
      Optional<H> best = s.t() == null ? Optional.empty()
          : c.history().stream().filter(h -> candidate(h, s, o, ttl)).max(ORDER);
      String values = best.filter(h -> !h.d()).map(h -> h.v() + "|" + h.s()).orElse("null|null");
      out.add(s.row() + "|" + values);
    }
    out.sort(null);
    return out;
  }

  static List<String> engine(Case c, AsOfOptions o, Optional<Duration> ttl, AsOfJoin.Strategy strategy) {
    List<Row> h = c.history().stream().map(x -> RowFactory.create(x.id(), ts(x.e()), x.v(), x.s(), ts(x.w()),
        x.d())).toList();
    List<Row> s = c.spine().stream().map(x -> RowFactory.create(String.valueOf(x.row()), x.id(),
        x.t() == null ? null : ts(x.t()))).toList();
    Dataset<Row> history = TestSpark.get().createDataFrame(h, AsOfJoinTest.HISTORY);
    Dataset<Row> spine = TestSpark.get().createDataFrame(s, AsOfJoinTest.SPINE);
    List<String> out = new ArrayList<>();
    AsOfJoin.on(spine, "t").options(o).strategy(strategy).add(AsOfJoinTest.source(history, ttl)).join().rows()
        .collectAsList().forEach(r -> out.add(r.getString(0) + "|" + r.get(3) + "|" + r.get(4)));
    out.sort(null);
    return out;
  }

  static Timestamp ts(long micros) {
    return Timestamp.from(BASE.plusNanos(micros * 1000));
  }

  static long micros(Instant i) {
    return Duration.between(BASE, i).toNanos() / 1000;
  }

  static void check(long seed, int seeds) {
    Random rnd = new Random(seed * 31 + 7);
    AsOfOptions o = AsOfOptions.defaults().withStrict(rnd.nextBoolean()).withAsKnownAt(rnd.nextBoolean())
        .withDelay(rnd.nextBoolean() ? Duration.ZERO : Duration.ofMinutes(rnd.nextInt(4)))
        .withAsOf(rnd.nextInt(3) == 0 ? Optional.of(BASE.plusSeconds(60L * rnd.nextInt(35))) : Optional.empty());
    Optional<Duration> ttl = rnd.nextBoolean() ? Optional.empty() : Optional.of(Duration.ofMinutes(rnd.nextInt(6)));
    Case c = generate(seed, seeds);
    List<String> expected = reference(c, o, ttl);
    for (AsOfJoin.Strategy strategy : AsOfJoin.Strategy.values()) {
      assertEquals(expected, engine(c, o, ttl, strategy), "seed " + seed + ", " + strategy + ", " + o + ", ttl " + ttl);
    }
  }

  @Test
  void matchesTheBruteForceReference() {
    // each seed is one random option set over 30 independent small cases (keys do not mix between cases)
    for (long seed = 1; seed <= 12; seed++) {
      check(seed, 30);
    }
  }

  @Test
  @Tag("heavy")
  void matchesTheBruteForceReferenceOnManySeeds() {
    for (long seed = 100; seed < 300; seed++) {
      check(seed, 60);
    }
  }

  @Test
  void latestPerKeyPicksTheSameWinnerAsTheJoin() {
    Case c = generate(42, 40);
    // a spine time after everything: the join's winner is each record's latest version
    long end = 24L * 60 * 60_000_000L;
    TreeMap<String, S> last = new TreeMap<>();
    c.history().forEach(h -> last.putIfAbsent(h.id(), new S(last.size(), h.id(), end)));
    Case atEnd = new Case(c.history(), new ArrayList<>(last.values()));
    List<String> joined = engine(atEnd, AsOfOptions.defaults(), Optional.empty(), AsOfJoin.Strategy.COGROUP);

    List<Row> h = c.history().stream().map(x -> RowFactory.create(x.id(), ts(x.e()), x.v(), x.s(), ts(x.w()),
        x.d())).toList();
    List<String> latest = new ArrayList<>();
    AsOf.latestPerKey(TestSpark.get().createDataFrame(h, AsOfJoinTest.HISTORY), "id", "event_time",
        List.of("v", "s")).collectAsList().forEach(r -> latest.add(last.get(r.getString(0)).row() + "|"
        + (r.getBoolean(r.fieldIndex("is_deleted")) ? "null|null" : r.get(r.fieldIndex("v")) + "|"
        + r.get(r.fieldIndex("s")))));
    latest.sort(null);
    assertEquals(joined, latest);
    assertEquals(reference(atEnd, AsOfOptions.defaults(), Optional.empty()), joined);
  }
}
