package io.tidemark.transform;

import io.tidemark.definitions.WindowDefinition;
import io.tidemark.definitions.WindowDefinition.Aggregation;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeMap;

/**
 * Sliding-window aggregation of one key's events, sorted by time, in one forward pass. The value at time q
 * aggregates events e with {@code q - window - delay < e.time <= q - delay}: an event enters at
 * {@code time + delay} and leaves at {@code time + delay + window}. Memory is the events inside the longest
 * window, never the key's whole history; every aggregate is updated incrementally (running count and sum,
 * monotonic deques for min/max, a value-count map for count_distinct).
 *
 * <p>Emits a {@link Point} at every instant a value changes ({@link WindowDefinition.Emit#CHANGES}) or at each UTC
 * midnight after a day with changes ({@link WindowDefinition.Emit#DAILY}), within {@code [fromMicros, toMicros)}.
 */
public final class SlidingWindows {
  private static final long DAY_MICROS = 86_400_000_000L;

  /** The aggregations as plain arrays: serializable, so Spark can ship it to executors. */
  public record Plan(WindowDefinition.Function[] functions, int[] columns, long[] windowMicros, long delayMicros,
      boolean daily) implements java.io.Serializable {

    public static Plan of(WindowDefinition def) {
      return of(def, def.emit());
    }

    /** @param emit the definition's, or a run's own (a daily backfill of a group that emits changes) */
    public static Plan of(WindowDefinition def, WindowDefinition.Emit emit) {
      List<String> valueColumns = def.valueColumns();
      int n = def.aggregations().size();
      WindowDefinition.Function[] functions = new WindowDefinition.Function[n];
      int[] columns = new int[n];
      long[] windows = new long[n];
      for (int i = 0; i < n; i++) {
        Aggregation a = def.aggregations().get(i);
        functions[i] = a.function();
        columns[i] = a.column().map(valueColumns::indexOf).orElse(-1);
        windows[i] = a.window().toNanos() / 1000;
      }
      return new Plan(functions, columns, windows, def.delay().toNanos() / 1000,
          emit == WindowDefinition.Emit.DAILY);
    }
  }

  /** One event: time in microseconds since the epoch and the values of {@link WindowDefinition#valueColumns()}. */
  public record Event(long timeMicros, Object[] values) {}

  /** The aggregates at one instant, in the order of the definition's aggregations (Long or Double or null). */
  public record Point(long timeMicros, Object[] values) {}

  private SlidingWindows() {}

  /** A lazy iterator of points over a lazy iterator of events: neither side is held in memory. */
  public static Iterator<Point> evaluate(Plan plan, Iterator<Event> events, long fromMicros, long toMicros) {
    return new Evaluator(plan, events, fromMicros, toMicros);
  }

  private static final class Evaluator implements Iterator<Point> {
    private final Iterator<Event> input;
    private final long delay;
    private final boolean daily;
    private final long from;
    private final long to;
    private final Window[] windows;
    private final Agg[] aggs;
    private Event peeked;
    private Point next;
    private boolean dirty;
    private long lastChange;

    Evaluator(Plan plan, Iterator<Event> input, long from, long to) {
      this.input = input;
      this.delay = plan.delayMicros();
      this.daily = plan.daily();
      this.from = from;
      this.to = to;
      Map<Long, Window> byLength = new TreeMap<>();
      this.aggs = new Agg[plan.functions().length];
      for (int i = 0; i < aggs.length; i++) {
        Window w = byLength.computeIfAbsent(plan.windowMicros()[i], Window::new);
        aggs[i] = new Agg(plan.functions()[i], plan.columns()[i]);
        w.aggs.add(aggs[i]);
      }
      this.windows = byLength.values().toArray(Window[]::new);
      this.peeked = input.hasNext() ? input.next() : null;
    }

    @Override
    public boolean hasNext() {
      while (next == null) {
        if (!advance()) {
          return false;
        }
      }
      return true;
    }

    @Override
    public Point next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      Point p = next;
      next = null;
      return p;
    }

    /** Processes the next change instant; false when nothing is left. May or may not produce a point. */
    private boolean advance() {
      long q = nextChange();
      if (daily && dirty) {
        long midnight = ceilToDay(lastChange);
        if (q > midnight || q == Long.MAX_VALUE) {
          dirty = false;
          if (midnight >= from && midnight < to) {
            next = snapshot(midnight);
          }
          return true;
        }
      }
      if (q == Long.MAX_VALUE || q >= to) {
        return false;
      }
      for (Window w : windows) {
        while (!w.events.isEmpty() && w.events.peekFirst().timeMicros() + delay + w.length <= q) {
          w.remove(w.events.pollFirst());
        }
      }
      while (peeked != null && peeked.timeMicros() + delay <= q) {
        for (Window w : windows) {
          w.events.addLast(peeked);
          w.add(peeked);
        }
        peeked = input.hasNext() ? input.next() : null;
      }
      if (daily) {
        dirty = true;
        lastChange = q;
      } else if (q >= from) {
        next = snapshot(q);
      }
      return true;
    }

    private long nextChange() {
      long q = peeked == null ? Long.MAX_VALUE : peeked.timeMicros() + delay;
      for (Window w : windows) {
        if (!w.events.isEmpty()) {
          q = Math.min(q, w.events.peekFirst().timeMicros() + delay + w.length);
        }
      }
      return q;
    }

    private Point snapshot(long time) {
      Object[] values = new Object[aggs.length];
      for (int i = 0; i < aggs.length; i++) {
        values[i] = aggs[i].value();
      }
      return new Point(time, values);
    }
  }

  static long ceilToDay(long micros) {
    return Math.floorDiv(micros + DAY_MICROS - 1, DAY_MICROS) * DAY_MICROS;
  }

  /** The events inside one window length, oldest first, and the aggregates over them. */
  private static final class Window {
    final long length;
    final ArrayDeque<Event> events = new ArrayDeque<>();
    final List<Agg> aggs = new java.util.ArrayList<>();

    Window(long length) {
      this.length = length;
    }

    void add(Event e) {
      aggs.forEach(a -> a.add(e));
    }

    void remove(Event e) {
      aggs.forEach(a -> a.remove(e));
    }
  }

  /** One incrementally maintained aggregate. Events leave in the order they entered (FIFO). */
  private static final class Agg {
    final WindowDefinition.Function function;
    final int column;
    long count;
    double sum;
    final ArrayDeque<Event> extremes = new ArrayDeque<>();
    final Map<Object, Integer> distinct = new HashMap<>();

    Agg(WindowDefinition.Function function, int column) {
      this.function = function;
      this.column = column;
    }

    private Object valueOf(Event e) {
      return column < 0 ? Boolean.TRUE : e.values()[column];
    }

    void add(Event e) {
      Object v = valueOf(e);
      if (v == null) {
        return;
      }
      count++;
      switch (function) {
        case SUM, AVG -> sum += ((Number) v).doubleValue();
        case MIN, MAX -> {
          double d = ((Number) v).doubleValue();
          while (!extremes.isEmpty() && worse(num(extremes.peekLast()), d)) {
            extremes.pollLast();
          }
          extremes.addLast(e);
        }
        case COUNT_DISTINCT -> distinct.merge(v, 1, Integer::sum);
        default -> { }
      }
    }

    void remove(Event e) {
      Object v = valueOf(e);
      if (v == null) {
        return;
      }
      count--;
      switch (function) {
        case SUM, AVG -> sum = count == 0 ? 0 : sum - ((Number) v).doubleValue();
        case MIN, MAX -> {
          if (!extremes.isEmpty() && extremes.peekFirst() == e) {
            extremes.pollFirst();
          }
        }
        case COUNT_DISTINCT -> distinct.computeIfPresent(v, (k, n) -> n == 1 ? null : n - 1);
        default -> { }
      }
    }

    /** For MIN a kept candidate is dropped when a smaller-or-equal newer value arrives; for MAX, a larger one. */
    private boolean worse(double kept, double arriving) {
      return function == WindowDefinition.Function.MIN ? kept >= arriving : kept <= arriving;
    }

    private double num(Event e) {
      return ((Number) valueOf(e)).doubleValue();
    }

    Object value() {
      return switch (function) {
        case COUNT -> count;
        case COUNT_DISTINCT -> (long) distinct.size();
        case SUM -> count == 0 ? null : sum;
        case AVG -> count == 0 ? null : sum / count;
        case MIN, MAX -> extremes.isEmpty() ? null : num(extremes.peekFirst());
      };
    }
  }
}
