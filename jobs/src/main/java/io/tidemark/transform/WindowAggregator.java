package io.tidemark.transform;

import static org.apache.spark.sql.functions.col;

import io.tidemark.definitions.FeatureDefinition;
import io.tidemark.definitions.FeatureGroup;
import io.tidemark.definitions.FeatureType;
import io.tidemark.definitions.WindowDefinition;
import io.tidemark.util.Sql;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import org.apache.spark.api.java.function.FlatMapGroupsFunction;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoder;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;

/**
 * Computes a window group's rows from its validated events: one shuffle by key, events sorted by time within each
 * key (Spark's {@code flatMapSortedGroups}, which streams a key's events), then {@link SlidingWindows} in one forward
 * pass. No self-join of events with events; memory per key is bounded by the events inside the longest window.
 */
public final class WindowAggregator {
  private WindowAggregator() {}

  /**
   * @param events columns: the key ({@code windows.key_column}), the time ({@code windows.time_column}, a timestamp)
   *     and {@link WindowDefinition#valueColumns()}
   * @param emit when rows are written: the definition's {@code emit}, or a run's own
   * @param from emit only rows at or after this instant (a backfill's start; events before it still count)
   * @param to emit only rows before this instant
   * @return rows with the group's features (record id, event time = the instant, aggregates)
   */
  public static Dataset<Row> aggregate(Dataset<Row> events, FeatureGroup group, WindowDefinition.Emit emit,
      Optional<Instant> from, Optional<Instant> to) {
    WindowDefinition def = group.windows().orElseThrow(() ->
        new IllegalArgumentException("group '" + group.name() + "' has no windows: section"));
    List<String> inputColumns = new ArrayList<>();
    inputColumns.add(def.keyColumn());
    inputColumns.add(def.timeColumn());
    inputColumns.addAll(def.valueColumns());
    Dataset<Row> input = events.select(inputColumns.stream().map(c -> col(Sql.quote(c))).toArray(Column[]::new));

    SlidingWindows.Plan plan = SlidingWindows.Plan.of(def, emit);
    StructType outSchema = new StructType();
    for (FeatureDefinition f : group.features()) {
      outSchema = outSchema.add(f.name(), f.sparkType(), true);
    }
    int[] outputSlots = outputSlots(group, def);
    long fromMicros = from.map(WindowAggregator::micros).orElse(Long.MIN_VALUE);
    long toMicros = to.map(WindowAggregator::micros).orElse(Long.MAX_VALUE);
    Encoder<Row> encoder = Encoders.row(outSchema);
    boolean integralKey = group.recordIdentifierFeature().type() == FeatureType.INTEGRAL;
    FlatMapGroupsFunction<Object, Row, Row> perKey = (key, rows) ->
        toRows(key, SlidingWindows.evaluate(plan, events(rows), fromMicros, toMicros), outputSlots);
    Column[] byTime = {col(Sql.quote(def.timeColumn()))};
    if (integralKey) {
      return input.groupByKey((MapFunction<Row, Object>) r -> r.getLong(0), asObjectKey(Encoders.LONG()))
          .flatMapSortedGroups(byTime, perKey, encoder);
    }
    return input.groupByKey((MapFunction<Row, Object>) r -> r.getString(0), asObjectKey(Encoders.STRING()))
        .flatMapSortedGroups(byTime, perKey, encoder);
  }

  @SuppressWarnings("unchecked")
  private static Encoder<Object> asObjectKey(Encoder<?> e) {
    return (Encoder<Object>) e;
  }

  /**
   * For each output column: -1 for the record id, -2 for the event time, else the aggregation's index.
   */
  private static int[] outputSlots(FeatureGroup group, WindowDefinition def) {
    int[] slots = new int[group.features().size()];
    for (int i = 0; i < slots.length; i++) {
      String name = group.features().get(i).name();
      if (name.equals(group.recordIdentifier())) {
        slots[i] = -1;
      } else if (name.equals(group.eventTime())) {
        slots[i] = -2;
      } else {
        int idx = -3;
        for (int a = 0; a < def.aggregations().size(); a++) {
          if (def.aggregations().get(a).feature().equals(name)) {
            idx = a;
          }
        }
        slots[i] = idx;
      }
    }
    return slots;
  }

  private static Iterator<SlidingWindows.Event> events(Iterator<Row> rows) {
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return rows.hasNext();
      }

      @Override
      public SlidingWindows.Event next() {
        Row r = rows.next();
        Object[] values = new Object[r.size() - 2];
        for (int i = 0; i < values.length; i++) {
          values[i] = r.get(i + 2);
        }
        return new SlidingWindows.Event(micros(r.getTimestamp(1).toInstant()), values);
      }
    };
  }

  private static Iterator<Row> toRows(Object key, Iterator<SlidingWindows.Point> points, int[] slots) {
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return points.hasNext();
      }

      @Override
      public Row next() {
        SlidingWindows.Point p = points.next();
        Object[] out = new Object[slots.length];
        for (int i = 0; i < slots.length; i++) {
          out[i] = switch (slots[i]) {
            case -1 -> key;
            case -2 -> Timestamp.from(Instant.EPOCH.plus(p.timeMicros(), ChronoUnit.MICROS));
            default -> p.values()[slots[i]];
          };
        }
        return RowFactory.create(out);
      }
    };
  }

  static long micros(Instant i) {
    return ChronoUnit.MICROS.between(Instant.EPOCH, i);
  }
}
