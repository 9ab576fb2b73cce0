package io.tidemark.transform;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tidemark.definitions.WindowDefinition;
import io.tidemark.definitions.WindowDefinition.Aggregation;
import io.tidemark.definitions.WindowDefinition.Function;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class SlidingWindowsTest {
  static final long S = 1_000_000L; // one second in micros
  static final long DAY = 86_400 * S;

  static WindowDefinition def(Duration delay, WindowDefinition.Emit emit, Aggregation... aggs) {
    return new WindowDefinition("k", "t", delay, emit, List.of(aggs));
  }

  static Aggregation agg(String name, Function f, String column, Duration window) {
    return new Aggregation(name, f, Optional.ofNullable(column), window);
  }

  static List<String> run(WindowDefinition def, List<SlidingWindows.Event> events, long from, long to) {
    List<String> out = new ArrayList<>();
    SlidingWindows.evaluate(SlidingWindows.Plan.of(def), events.iterator(), from, to).forEachRemaining(p ->
        out.add(p.timeMicros() / S + "=" + java.util.Arrays.toString(p.values())));
    return out;
  }

  static SlidingWindows.Event ev(long seconds, Object... values) {
    return new SlidingWindows.Event(seconds * S, values);
  }

  @Test
  void eventsEnterAtTheirTimeAndLeaveExactlyOneWindowLater() {
    WindowDefinition d = def(Duration.ZERO, WindowDefinition.Emit.CHANGES,
        agg("n", Function.COUNT, null, Duration.ofSeconds(10)),
        agg("s", Function.SUM, "amount", Duration.ofSeconds(10)));
    // window (t-10, t]: the event at 0 counts at 0..9.999999 and is gone at 10
    assertEquals(List.of("0=[1, 5.0]", "3=[2, 7.0]", "10=[1, 2.0]", "13=[0, null]"),
        run(d, List.of(ev(0, 5.0), ev(3, 2.0)), Long.MIN_VALUE, Long.MAX_VALUE));
  }

  @Test
  void equalTimesCountTogetherAndDelayShiftsEverything() {
    WindowDefinition d = def(Duration.ofSeconds(5), WindowDefinition.Emit.CHANGES,
        agg("n", Function.COUNT, null, Duration.ofSeconds(10)),
        agg("d", Function.COUNT_DISTINCT, "p", Duration.ofSeconds(10)),
        agg("mx", Function.MAX, "amount", Duration.ofSeconds(10)));
    assertEquals(List.of("5=[2, 1, 3.0]", "6=[3, 2, 3.0]", "15=[1, 1, 1.0]", "16=[0, 0, null]"),
        run(d, List.of(ev(0, "a", 3.0), ev(0, "a", 2.0), ev(1, "b", 1.0)), Long.MIN_VALUE, Long.MAX_VALUE));
  }

  @Test
  void rangeLimitsEmissionButEarlierEventsStillCount() {
    WindowDefinition d = def(Duration.ZERO, WindowDefinition.Emit.CHANGES,
        agg("n", Function.COUNT, null, Duration.ofSeconds(10)));
    assertEquals(List.of("5=[2]", "10=[1]"), run(d, List.of(ev(0), ev(5), ev(20)), 4 * S, 11 * S));
  }

  @Test
  void dailyEmitsAtMidnightAfterEachDayWithChanges() {
    WindowDefinition d = def(Duration.ZERO, WindowDefinition.Emit.DAILY,
        agg("n", Function.COUNT, null, Duration.ofDays(2)));
    long day = 86_400;
    assertEquals(List.of("86400=[2]", "259200=[1]", "432000=[0]"),
        run(d, List.of(ev(100), ev(200), ev(day + 50 * 60 + day)), Long.MIN_VALUE, Long.MAX_VALUE));
    // a change exactly at midnight belongs to that midnight's value
    assertEquals(List.of("86400=[1]", "259200=[0]"), run(d, List.of(ev(day)), Long.MIN_VALUE, Long.MAX_VALUE));
  }

  /** The brute-force reference: for each instant, scan every event. */
  static Object[] bruteForce(List<SlidingWindows.Event> events, List<Aggregation> aggs, List<String> cols,
      long delay, long q) {
    Object[] out = new Object[aggs.size()];
    for (int i = 0; i < aggs.size(); i++) {
      Aggregation a = aggs.get(i);
      long w = a.window().toNanos() / 1000;
      int c = a.column().map(cols::indexOf).orElse(-1);
      long n = 0;
      double sum = 0;
      Double min = null;
      Double max = null;
      Set<Object> distinct = new HashSet<>();
      for (SlidingWindows.Event e : events) {
        boolean inside = e.timeMicros() > q - w - delay && e.timeMicros() <= q - delay;
        Object v = c < 0 ? Boolean.TRUE : e.values()[c];
        if (!inside || v == null) {
          continue;
        }
        n++;
        if (v instanceof Number num) {
          sum += num.doubleValue();
          min = min == null ? num.doubleValue() : Math.min(min, num.doubleValue());
          max = max == null ? num.doubleValue() : Math.max(max, num.doubleValue());
        }
        distinct.add(v);
      }
      out[i] = switch (a.function()) {
        case COUNT -> n;
        case COUNT_DISTINCT -> (long) distinct.size();
        case SUM -> n == 0 ? null : sum;
        case AVG -> n == 0 ? null : sum / n;
        case MIN -> min;
        case MAX -> max;
      };
    }
    return out;
  }

  @Test
  void matchesBruteForceOnRandomEventsAtEveryInstant() {
    for (int seed = 0; seed < 300; seed++) {
      Random rnd = new Random(seed);
      List<Aggregation> aggs = List.of(
          agg("c1", Function.COUNT, null, Duration.ofSeconds(1 + rnd.nextInt(20))),
          agg("c2", Function.COUNT, "x", Duration.ofSeconds(1 + rnd.nextInt(20))),
          agg("s", Function.SUM, "x", Duration.ofSeconds(1 + rnd.nextInt(20))),
          agg("a", Function.AVG, "x", Duration.ofSeconds(1 + rnd.nextInt(20))),
          agg("mn", Function.MIN, "x", Duration.ofSeconds(1 + rnd.nextInt(20))),
          agg("mx", Function.MAX, "x", Duration.ofSeconds(1 + rnd.nextInt(20))),
          agg("d", Function.COUNT_DISTINCT, "p", Duration.ofSeconds(1 + rnd.nextInt(20))));
      long delay = rnd.nextBoolean() ? 0 : rnd.nextInt(5) * S;
      WindowDefinition d = new WindowDefinition("k", "t", Duration.ofNanos(delay * 1000),
          WindowDefinition.Emit.CHANGES, aggs);
      List<SlidingWindows.Event> events = new ArrayList<>();
      long t = rnd.nextInt(5) * S;
      int n = rnd.nextInt(30);
      for (int i = 0; i < n; i++) {
        t += rnd.nextInt(4) * S; // equal times happen
        Object x = rnd.nextInt(6) == 0 ? null : (double) (rnd.nextInt(21) - 10);
        events.add(new SlidingWindows.Event(t, new Object[] {x, "p" + rnd.nextInt(4)}));
      }
      List<String> cols = List.of("x", "p");
      // exact at every emitted instant, and as-of exact at every whole second in between
      TreeSet<Long> emitted = new TreeSet<>();
      List<SlidingWindows.Point> points = new ArrayList<>();
      SlidingWindows.evaluate(SlidingWindows.Plan.of(d), events.iterator(), Long.MIN_VALUE, Long.MAX_VALUE)
          .forEachRemaining(points::add);
      for (SlidingWindows.Point p : points) {
        emitted.add(p.timeMicros());
      }
      assertEquals(points.size(), emitted.size(), "one point per instant, seed " + seed);
      long end = t + 25 * S + delay;
      for (long q = -S; q <= end; q += S / 2) {
        Long at = emitted.floor(q);
        Object[] expected = bruteForce(events, aggs, cols, delay, q);
        Object[] actual = at == null ? bruteForce(List.of(), aggs, cols, delay, q)
            : points.get(emitted.headSet(at, true).size() - 1).values();
        for (int i = 0; i < expected.length; i++) {
          if (expected[i] instanceof Double e && actual[i] instanceof Double a) {
            assertEquals(e, a, 1e-9, "seed " + seed + " q " + q + " " + aggs.get(i));
          } else {
            assertEquals(expected[i], actual[i], "seed " + seed + " q " + q + " " + aggs.get(i));
          }
        }
      }
    }
  }
}
