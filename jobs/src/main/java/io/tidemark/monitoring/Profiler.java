package io.tidemark.monitoring;

import static org.apache.spark.sql.functions.approx_count_distinct;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.percentile_approx;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.tidemark.definitions.FeatureDefinition;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

/**
 * Computes {@link FeatureProfile}s in two Spark jobs, whatever the number of features: one aggregation for counts,
 * distinct estimates, min / max / mean and quantiles ({@code percentile_approx}), then one grouped count of
 * (feature, histogram bin or value) for histograms and top values. Only aggregates reach the driver. The same two
 * passes, over two samples at once, give the drift comparison its bins ({@link DriftAction}).
 */
public final class Profiler {
  public static final int TOP_VALUES = 10;
  public static final int HISTOGRAM_BINS = 10;
  /** percentile_approx's accuracy: relative rank error 1/10000 (Spark's default); exact below 10,000 values. */
  static final int ACCURACY = 10_000;
  static final double[] DECILES = levels(10);
  static final double[] PERCENTILES = levels(100);
  /** The columns {@link #summaryColumns} gives per input. */
  static final int SUMMARY_COLUMNS = 6;

  private Profiler() {}

  /** A feature to profile: its name, kind, and the column that holds it in the rows. */
  public record Input(String feature, FeatureKind kind, Column column) {
    public static Input of(FeatureDefinition f) {
      return new Input(f.name(), FeatureKind.of(f), col(f.name()));
    }

    /** The value compared and binned: a number as double (timestamps as epoch seconds; NaN as missing). */
    Column value() {
      if (!kind.numeric()) {
        return column;
      }
      Column d = column.cast("double");
      return when(isnan(d), lit(null).cast("double")).otherwise(d);
    }
  }

  /** What the first pass knows of one feature in one sample. */
  record Summary(long count, long values, Optional<Long> distinct, Optional<Double> min, Optional<Double> max,
      Optional<Double> mean, double[] quantiles) {
    long missing() {
      return count - values;
    }
  }

  /** Profiles {@code rows} (two Spark jobs). */
  public static List<FeatureProfile> profile(Dataset<Row> rows, List<Input> inputs) {
    List<Column> aggs = summaryColumns(inputs, lit(true), DECILES);
    Row r = rows.agg(count(lit(1)), aggs.toArray(Column[]::new)).first();
    return complete(rows, inputs, summaries(inputs, r, 1, r.getLong(0)));
  }

  /**
   * The first pass as columns of an aggregation the caller runs anyway (the ingest's counts): {@link
   * #SUMMARY_COLUMNS} per input over the rows where {@code where} holds.
   */
  public static List<Column> firstPass(List<Input> inputs, Column where) {
    return summaryColumns(inputs, where, DECILES);
  }

  /**
   * The second pass over {@code rows} (one Spark job), given the caller's aggregation {@code firstPass} whose
   * column {@code from} starts {@link #firstPass}'s columns, over {@code count} rows.
   */
  public static List<FeatureProfile> secondPass(Dataset<Row> rows, List<Input> inputs, Row firstPass, int from,
      long count) {
    return complete(rows, inputs, summaries(inputs, firstPass, from, count));
  }

  /**
   * The first pass's aggregates of the rows where {@code where} holds, {@link #SUMMARY_COLUMNS} per input: values,
   * distinct estimate, min, max, mean, quantiles at {@code levels}. Callers add them to an aggregation they run.
   */
  static List<Column> summaryColumns(List<Input> inputs, Column where, double[] levels) {
    Column at = array(Arrays.stream(levels).mapToObj(l -> lit(l)).toArray(Column[]::new));
    List<Column> aggs = new ArrayList<>();
    for (Input in : inputs) {
      Column v = when(where, in.value());
      aggs.add(count(v));
      aggs.add(in.kind() == FeatureKind.COLLECTION ? lit(null).cast("long") : approx_count_distinct(v));
      boolean numeric = in.kind().numeric();
      aggs.add(numeric ? min(v) : lit(null).cast("double"));
      aggs.add(numeric ? max(v) : lit(null).cast("double"));
      aggs.add(numeric ? avg(v) : lit(null).cast("double"));
      aggs.add(numeric ? percentile_approx(v, at, lit(ACCURACY)) : lit(null).cast("array<double>"));
    }
    return aggs;
  }

  /** Reads {@link #summaryColumns}' values from {@code row}, starting at column {@code from}. */
  static List<Summary> summaries(List<Input> inputs, Row row, int from, long count) {
    List<Summary> out = new ArrayList<>();
    int i = from;
    for (Input ignored : inputs) {
      List<Object> q = row.isNullAt(i + 5) ? List.of() : row.getList(i + 5);
      out.add(new Summary(count, row.getLong(i), Optional.ofNullable(row.isNullAt(i + 1) ? null : row.getLong(i + 1)),
          Optional.ofNullable((Double) row.get(i + 2)), Optional.ofNullable((Double) row.get(i + 3)),
          Optional.ofNullable((Double) row.get(i + 4)), q.stream().mapToDouble(x -> ((Number) x).doubleValue())
              .toArray()));
      i += SUMMARY_COLUMNS;
    }
    return out;
  }

  /** The second pass over {@code rows}, given the first pass's summaries: histograms and top values. */
  static List<FeatureProfile> complete(Dataset<Row> rows, List<Input> inputs, List<Summary> summaries) {
    Map<Integer, double[]> edges = new HashMap<>();
    for (int i = 0; i < inputs.size(); i++) {
      Summary s = summaries.get(i);
      if (inputs.get(i).kind().numeric() && s.min().isPresent()) {
        edges.put(i, equalWidth(s.min().get(), s.max().get()));
      }
    }
    Map<Integer, Map<String, long[]>> counts = counts(rows, inputs, edges, lit(0), 1, TOP_VALUES);
    List<FeatureProfile> out = new ArrayList<>();
    for (int i = 0; i < inputs.size(); i++) {
      Input in = inputs.get(i);
      Summary s = summaries.get(i);
      Map<String, long[]> c = counts.getOrDefault(i, Map.of());
      List<Double> deciles = Arrays.stream(s.quantiles()).boxed().toList();
      List<Double> histogramEdges = List.of();
      List<Long> histogramCounts = List.of();
      List<FeatureProfile.ValueCount> top = List.of();
      if (edges.containsKey(i)) {
        double[] inner = edges.get(i);
        List<Double> e = new ArrayList<>();
        e.add(s.min().get());
        Arrays.stream(inner).forEach(e::add);
        e.add(s.max().get());
        histogramEdges = e;
        histogramCounts = binCounts(c, inner.length + 1, 0);
      } else if (in.kind() == FeatureKind.CATEGORY) {
        top = c.entrySet().stream().map(x -> new FeatureProfile.ValueCount(x.getKey(), x.getValue()[0]))
            .sorted(Comparator.comparingLong(FeatureProfile.ValueCount::count).reversed()
                .thenComparing(FeatureProfile.ValueCount::value)).toList();
      }
      out.add(new FeatureProfile(in.feature(), in.kind(), s.count(), s.missing(), s.distinct(), s.min(), s.max(),
          s.mean(), deciles, histogramEdges, histogramCounts, top));
    }
    return out;
  }

  /** The 9 inner edges of 10 equal-width bins over [min, max]; none when min == max (one bin). */
  static double[] equalWidth(double min, double max) {
    if (!(max > min)) {
      return new double[0];
    }
    double[] e = new double[HISTOGRAM_BINS - 1];
    for (int k = 1; k < HISTOGRAM_BINS; k++) {
      e[k - 1] = min + k * (max - min) / HISTOGRAM_BINS;
    }
    return e;
  }

  /** Counts per bin 0..bins-1 of one side, from {@link #counts}' keys (bin numbers). */
  static List<Long> binCounts(Map<String, long[]> counts, int bins, int side) {
    long[] out = new long[bins];
    counts.forEach((k, v) -> out[Integer.parseInt(k)] += v[side]);
    return Arrays.stream(out).boxed().toList();
  }

  /**
   * The second pass: per input, rows per histogram bin (numbers, against {@code edges}: bin j is (e[j-1], e[j]])
   * or per value (categories; only the {@code topK} most frequent in side 0, then side 1, ...), counted per side
   * ({@code side} is 0..sides-1). Missing values are not counted. One Spark job (a grouped count).
   */
  static Map<Integer, Map<String, long[]>> counts(Dataset<Row> rows, List<Input> inputs, Map<Integer, double[]> edges,
      Column side, int sides, int topK) {
    List<Column> entries = new ArrayList<>();
    List<Integer> binned = new ArrayList<>();
    for (int i = 0; i < inputs.size(); i++) {
      Input in = inputs.get(i);
      if (in.kind() == FeatureKind.COLLECTION) {
        continue;
      }
      Column key;
      if (in.kind().numeric()) {
        double[] e = edges.getOrDefault(i, new double[0]);
        Column v = in.value();
        key = when(v.isNotNull(), bin(v, e, 0, e.length)).cast("string");
        binned.add(i);
      } else {
        key = in.column().cast("string");
      }
      entries.add(struct(lit(i).as("f"), key.as("k")));
    }
    Map<Integer, Map<String, long[]>> out = new HashMap<>();
    if (entries.isEmpty()) {
      return out;
    }
    Dataset<Row> pairs = rows.select(side.as("_tm_s"), explode(array(entries.toArray(Column[]::new))).as("_tm_e"))
        .select(col("_tm_s"), col("_tm_e.f").as("f"), col("_tm_e.k").as("k")).where(col("k").isNotNull());
    List<Column> sums = new ArrayList<>();
    List<Column> order = new ArrayList<>();
    for (int s = 0; s < sides; s++) {
      sums.add(sum(when(col("_tm_s").equalTo(s), 1).otherwise(0)).cast("long").as("c" + s));
      order.add(col("c" + s).desc());
    }
    order.add(col("k"));
    Dataset<Row> grouped = pairs.groupBy(col("f"), col("k")).agg(sums.get(0), sums.subList(1, sums.size())
        .toArray(Column[]::new));
    Dataset<Row> kept = grouped.withColumn("rn", row_number().over(Window.partitionBy(col("f"))
        .orderBy(order.toArray(Column[]::new)))).where(col("f").isin(binned.toArray()).or(col("rn").leq(topK)));
    for (Row r : kept.collectAsList()) {
      long[] c = new long[sides];
      for (int s = 0; s < sides; s++) {
        c[s] = r.getLong(2 + s);
      }
      out.computeIfAbsent(r.getInt(0), x -> new HashMap<>()).put(r.getString(1), c);
    }
    return out;
  }

  /** {@code profiles} as rows of {@link io.tidemark.offline.SideTable.Kind#PROFILE}, one per feature. */
  public static Dataset<Row> records(org.apache.spark.sql.SparkSession spark, List<FeatureProfile> profiles,
      String batchId, java.sql.Timestamp writeTime, String kind) {
    List<Row> rows = new ArrayList<>();
    for (FeatureProfile p : profiles) {
      rows.add(org.apache.spark.sql.RowFactory.create(batchId, writeTime, kind, p.feature(),
          p.kind().name().toLowerCase(java.util.Locale.ROOT), p.count(), p.missing(), p.distinct().orElse(null),
          p.min().orElse(null), p.max().orElse(null), p.mean().orElse(null), p.deciles(), p.histogramEdges(),
          p.histogramCounts(), p.topValues().stream().map(v -> org.apache.spark.sql.RowFactory.create(v.value(),
              v.count())).toList()));
    }
    return spark.createDataFrame(rows, (org.apache.spark.sql.types.StructType) org.apache.spark.sql.types.DataType
        .fromDDL(io.tidemark.offline.SideTable.Kind.PROFILE.ddl()));
  }

  /** The number of {@code edges} below {@code x} (edges[lo..hi) sorted), as a balanced CASE tree. */
  static Column bin(Column x, double[] edges, int lo, int hi) {
    if (lo == hi) {
      return lit(lo);
    }
    int mid = (lo + hi) >>> 1;
    return when(x.leq(lit(edges[mid])), bin(x, edges, lo, mid)).otherwise(bin(x, edges, mid + 1, hi));
  }

  private static double[] levels(int steps) {
    double[] l = new double[steps + 1];
    for (int i = 0; i <= steps; i++) {
      l[i] = (double) i / steps;
    }
    return l;
  }
}
