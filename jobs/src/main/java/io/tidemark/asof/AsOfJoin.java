package io.tidemark.asof;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.unix_micros;

import io.tidemark.offline.MetadataColumns;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoder;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.KeyValueGroupedDataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;

/**
 * The point-in-time ("as of") join: for every spine row and every source, the source's winning version at the
 * spine time ({@link RecordOrder}), or nulls. Every spine row comes out exactly once, its columns unchanged,
 * followed by each source's output columns.
 *
 * <p>Built as one co-partitioned streaming merge per join key, never as a range join: the spine and the
 * histories of all sources keyed by the same spine column are hash-partitioned by key into the same partitions
 * (one shuffle of the spine for all of them), sorted by (key, time), and merged in one forward pass
 * ({@link AsOfMerge}) that holds one candidate row per source. Histories are pruned before the shuffle to the
 * needed columns and to the spine's time range.
 *
 * <pre>{@code
 * AsOfJoin.Result r = AsOfJoin.on(spine, "label_time").add(source).options(opts).join();
 * r.rows().write()...;  r.stats() // after an action
 * }</pre>
 */
public final class AsOfJoin {
  /**
   * How the co-partitioned merge is wired into Spark; both give identical rows. ZIP_PARTITIONS is the default:
   * it measured 8-35% faster than COGROUP in {@code ./bench pit} on a 2-core machine (see README).
   */
  public enum Strategy {
    /** {@code groupBy(key).as(...).cogroupSorted(...)}: Spark plans the exchanges and sorts. */
    COGROUP,
    /** {@code repartition(n, key).sortWithinPartitions(key, time)} of both sides, then {@code zipPartitions}. */
    ZIP_PARTITIONS
  }

  /**
   * One source's counts over the spine rows: a live winner (its values), a winning tombstone (nulls), no
   * candidate at all in the time window (nulls).
   */
  public record SourceStats(String source, long matched, long deleted, long noCandidate) {}

  /** The joined rows (lazy) and, once an action ran on them, the per-source counts. */
  public record Result(Dataset<Row> rows, List<String> featureColumns, StatsHandle statsHandle) {
    /**
     * Counts of the actions that ran over {@link #rows} so far: exact after one action that reads every row
     * once (a write, a count), unless Spark re-ran tasks. A global sort samples its input first and so counts twice.
     */
    public List<SourceStats> stats() {
      return statsHandle.read();
    }
  }

  /** Reads the accumulators behind {@link Result#stats}. */
  public static final class StatsHandle {
    private final List<AsOfSource> sources;
    private final Map<AsOfSource, AsOfMerge.Stats> stats = new java.util.IdentityHashMap<>();
    private final Map<AsOfSource, Integer> offsets = new java.util.IdentityHashMap<>();

    private StatsHandle(List<AsOfSource> sources) {
      this.sources = List.copyOf(sources);
    }

    /** In the order the sources were added. */
    List<SourceStats> read() {
      List<SourceStats> out = new ArrayList<>();
      for (AsOfSource source : sources) {
        AsOfMerge.Stats s = stats.get(source);
        int g = offsets.get(source);
        out.add(new SourceStats(source.name(), s.matched()[g].sum(), s.deleted()[g].sum(), s.none()[g].sum()));
      }
      return out;
    }

    /** Zeroes the counts, before running another action over the same rows. */
    public void reset() {
      stats.values().forEach(s -> {
        Arrays.stream(s.matched()).forEach(LongAccumulator::reset);
        Arrays.stream(s.deleted()).forEach(LongAccumulator::reset);
        Arrays.stream(s.none()).forEach(LongAccumulator::reset);
      });
    }
  }

  static final String PREFIX = "__tm_";
  private static final String KEY = PREFIX + "k";
  private static final String TIME = PREFIX + "t";
  private static final String ELIGIBLE = PREFIX + "a";
  private static final String EVENT = PREFIX + "e";

  private final Dataset<Row> spine;
  private final String timeColumn;
  private final List<AsOfSource> sources = new ArrayList<>();
  private AsOfOptions options = AsOfOptions.defaults();
  private Strategy strategy = Strategy.ZIP_PARTITIONS;
  private int partitions;
  private Optional<Instant[]> bounds = Optional.empty();

  private AsOfJoin(Dataset<Row> spine, String timeColumn) {
    this.spine = spine;
    this.timeColumn = timeColumn;
  }

  /** A join of {@code spine}, whose column {@code timeColumn} (timestamp) is the time of each row. */
  public static AsOfJoin on(Dataset<Row> spine, String timeColumn) {
    return new AsOfJoin(spine, timeColumn);
  }

  public AsOfJoin add(AsOfSource source) {
    sources.add(source);
    return this;
  }

  public AsOfJoin options(AsOfOptions value) {
    this.options = value;
    return this;
  }

  public AsOfJoin strategy(Strategy value) {
    this.strategy = value;
    return this;
  }

  /** Shuffle partitions of the merge (default: {@code spark.sql.shuffle.partitions}). */
  public AsOfJoin partitions(int value) {
    this.partitions = value;
    return this;
  }

  /**
   * The least and greatest spine time, when the caller knows them already (saves one pass over the spine);
   * both null when no spine row has a time.
   */
  public AsOfJoin spineTimeBounds(Instant minTime, Instant maxTime) {
    this.bounds = Optional.of(new Instant[] {minTime, maxTime});
    return this;
  }

  /** Plans the join; runs only the spine-bounds query (unless given). */
  public Result join() {
    validate();
    SparkSession spark = spine.sparkSession();
    Instant[] b = bounds.orElseGet(this::computeBounds);
    Dataset<Row> left = spine.withColumn(TIME, unix_micros(col(timeColumn)));
    StatsHandle handle = new StatsHandle(sources);
    // one merge (one shuffle of the spine) per spine key column and key type
    Map<String, List<AsOfSource>> passes = new LinkedHashMap<>();
    for (AsOfSource s : sources) {
      passes.computeIfAbsent(s.spineKey() + "\u0000" + keyType(s).simpleString(), k -> new ArrayList<>()).add(s);
    }
    for (List<AsOfSource> pass : passes.values()) {
      left = mergePass(spark, left, pass, b, handle);
    }
    List<Column> out = new ArrayList<>();
    Arrays.stream(spine.columns()).forEach(c -> out.add(col(quote(c))));
    List<String> featureColumns = new ArrayList<>();
    for (AsOfSource s : sources) {
      s.outputNames().forEach(n -> out.add(col(quote(n))));
      featureColumns.addAll(s.outputNames());
    }
    return new Result(left.select(out.toArray(Column[]::new)), List.copyOf(featureColumns), handle);
  }

  private Dataset<Row> mergePass(SparkSession spark, Dataset<Row> left, List<AsOfSource> pass, Instant[] b,
      StatsHandle handle) {
    DataType keyType = keyType(pass.get(0));
    Dataset<Row> spineSide = left.withColumn(KEY, col(quote(pass.get(0).spineKey())).cast(keyType));
    ValueSlots slots = new ValueSlots(pass);
    Dataset<Row> history = null;
    for (int g = 0; g < pass.size(); g++) {
      Dataset<Row> h = historySide(pass, g, keyType, b, slots);
      history = history == null ? h : history.unionAll(h);
    }

    StructType spineSchema = spineSide.schema();
    StructType historySchema = history.schema();
    int[] spineCopy = new int[spineSchema.size() - 1];
    StructType outSchema = new StructType();
    int p = 0;
    for (int i = 0; i < spineSchema.size(); i++) {
      if (!spineSchema.fields()[i].name().equals(KEY)) {
        spineCopy[p++] = i;
        outSchema = outSchema.add(spineSchema.fields()[i]);
      }
    }
    int[][] orderIndex = new int[pass.size()][];
    int[][] outputIndex = new int[pass.size()][];
    long[] ttl = new long[pass.size()];
    LongAccumulator[][] acc = new LongAccumulator[3][pass.size()];
    for (int g = 0; g < pass.size(); g++) {
      AsOfSource s = pass.get(g);
      StructType hs = s.history().schema();
      int source = g;
      orderIndex[g] = s.orderValues().stream()
          .mapToInt(c -> historySchema.fieldIndex(slots.column(source, c))).toArray();
      outputIndex[g] = s.outputs().stream()
          .mapToInt(c -> historySchema.fieldIndex(slots.column(source, c))).toArray();
      for (int i = 0; i < s.outputs().size(); i++) {
        outSchema = outSchema.add(s.outputNames().get(i), hs.apply(s.outputs().get(i)).dataType(), true);
      }
      ttl[g] = s.ttl().map(AsOfOptions::micros).orElse(-1L);
      String[] kinds = {"matched", "deleted", "none"};
      for (int k = 0; k < kinds.length; k++) {
        acc[k][g] = spark.sparkContext().longAccumulator("asof " + s.name() + " " + kinds[k]);
      }
    }
    AsOfMerge.Stats stats = new AsOfMerge.Stats(acc[0], acc[1], acc[2]);
    for (int g = 0; g < pass.size(); g++) {
      handle.stats.put(pass.get(g), stats);
      handle.offsets.put(pass.get(g), g);
    }
    AsOfMerge.Layout layout = new AsOfMerge.Layout(spineSchema.fieldIndex(KEY), spineSchema.fieldIndex(TIME),
        spineCopy, types(spineSchema), types(historySchema),
        shifted() ? historySchema.fieldIndex(EVENT) : AsOfMerge.Layout.ELIGIBLE, orderIndex, outputIndex, ttl, stats);
    return strategy == Strategy.COGROUP
        ? cogroup(spineSide, history, keyType, layout, outSchema)
        : zip(spark, spineSide, history, layout, outSchema);
  }

  @SuppressWarnings("unchecked")
  private static Dataset<Row> cogroup(Dataset<Row> spineSide, Dataset<Row> history, DataType keyType,
      AsOfMerge.Layout layout, StructType outSchema) {
    Encoder<Object> keyEncoder = (Encoder<Object>) (Encoder<?>) (keyType.equals(DataTypes.LongType)
        ? Encoders.LONG() : Encoders.STRING());
    // cogroup requires both grouping keys to have the same type including nullability (a literal key is not null)
    Column nullableKey = org.apache.spark.sql.functions.when(col(KEY).isNull(), lit(null).cast(keyType))
        .otherwise(col(KEY));
    Dataset<Row> spineKeyed = spineSide.withColumn(KEY, nullableKey);
    Dataset<Row> historyKeyed = history.withColumn(KEY, nullableKey);
    KeyValueGroupedDataset<Object, Row> s = spineKeyed.groupBy(col(KEY)).as(keyEncoder,
        Encoders.row(spineKeyed.schema()));
    KeyValueGroupedDataset<Object, Row> h = historyKeyed.groupBy(col(KEY)).as(keyEncoder,
        Encoders.row(historyKeyed.schema()));
    return s.cogroupSorted(h, new Column[] {col(TIME)}, new Column[] {col(ELIGIBLE)},
        (key, spineRows, historyRows) -> AsOfMerge.external(layout, spineRows, historyRows),
        Encoders.row(outSchema));
  }

  private Dataset<Row> zip(SparkSession spark, Dataset<Row> spineSide, Dataset<Row> history,
      AsOfMerge.Layout layout, StructType outSchema) {
    int n = partitions > 0 ? partitions : spark.sessionState().conf().numShufflePartitions();
    // Spark's internal rows on both sides and out: no conversion of every row to Java objects and back
    JavaRDD<InternalRow> s = InternalRows.of(spineSide.repartition(n, col(KEY)).sortWithinPartitions(col(KEY),
        col(TIME)));
    JavaRDD<InternalRow> h = InternalRows.of(history.repartition(n, col(KEY)).sortWithinPartitions(col(KEY),
        col(ELIGIBLE)));
    // Spark plans an empty side (a header-only spine, a history pruned to nothing) without any partition: give it
    // n empty ones, so both sides still zip partition by partition
    s = s.getNumPartitions() == 0 ? emptyPartitions(spark, n) : s;
    h = h.getNumPartitions() == 0 ? emptyPartitions(spark, n) : h;
    if (s.getNumPartitions() != h.getNumPartitions()) {
      throw new IllegalStateException("as-of join: spine has " + s.getNumPartitions() + " partitions but history "
          + h.getNumPartitions() + "; both must be hash-partitioned into " + n);
    }
    JavaRDD<InternalRow> merged = s.zipPartitions(h, (a, c) -> AsOfMerge.internal(layout, a, c));
    return InternalRows.toDataFrame(spark, merged, outSchema);
  }

  private static JavaRDD<InternalRow> emptyPartitions(SparkSession spark, int n) {
    return new org.apache.spark.api.java.JavaSparkContext(spark.sparkContext()).parallelize(List.<InternalRow>of(),
        n);
  }

  /** Whether a row's first eligible spine time differs from its event time (a delay, or known-at). */
  private boolean shifted() {
    return options.eventShiftMicros() != 0 || options.asKnownAt();
  }

  private static DataType[] types(StructType schema) {
    return Arrays.stream(schema.fields()).map(f -> f.dataType()).toArray(DataType[]::new);
  }

  /**
   * A source's rows as the merge reads them: key, first spine time the row may serve, source index, write micros,
   * tombstone flag, event micros (when not the same as the first spine time), then the pass's value slots
   * ({@link ValueSlots}: this source's values, nulls in the slots it does not use), pruned to the spine's time
   * range.
   */
  private Dataset<Row> historySide(List<AsOfSource> pass, int g, DataType keyType, Instant[] b, ValueSlots slots) {
    AsOfSource s = pass.get(g);
    Column event = unix_micros(col(quote(s.eventTime())));
    Column write = unix_micros(col(MetadataColumns.WRITE_TIME));
    Column eligible = event.plus(lit(options.eventShiftMicros()));
    if (options.asKnownAt()) {
      eligible = greatest(eligible, write);
    }
    Dataset<Row> h = s.history();
    if (options.asOf().isPresent()) {
      h = h.where(col(MetadataColumns.WRITE_TIME).leq(lit(java.sql.Timestamp.from(options.asOf().get()))));
    }
    if (b[0] == null) {
      h = h.where(lit(false));
    } else {
      long maxT = AsOfOptions.micros(java.time.Duration.between(Instant.EPOCH, b[1]));
      long minT = AsOfOptions.micros(java.time.Duration.between(Instant.EPOCH, b[0]));
      h = h.where(eligible.leq(lit(maxT)));
      if (s.ttl().isPresent()) {
        h = h.where(event.geq(lit(minT - AsOfOptions.micros(s.ttl().get()))));
      }
    }
    List<Column> cols = new ArrayList<>();
    // nullable like the spine's key: cogroup wants both grouping columns of one type
    cols.add(functions.when(col(quote(s.recordId())).isNotNull(), col(quote(s.recordId())).cast(keyType)).as(KEY));
    cols.add(eligible.as(ELIGIBLE));
    cols.add(lit(g).as(PREFIX + "g"));
    cols.add(write.as(PREFIX + "w"));
    cols.add(col(MetadataColumns.IS_DELETED).as(PREFIX + "d"));
    if (shifted()) {
      // else the eligible time is the event time: one column less to shuffle and sort
      cols.add(event.as(EVENT));
    }
    for (int slot = 0; slot < slots.types.size(); slot++) {
      String c = slots.sourceColumn(g, slot);
      cols.add((c == null ? lit(null).cast(slots.types.get(slot)) : col(quote(c))).as(PREFIX + "v" + slot));
    }
    return h.where(col(quote(s.recordId())).isNotNull()).select(cols.toArray(Column[]::new));
  }

  /**
   * Where the sources of one pass carry their values through the shuffle: typed slots shared by the sources (a
   * history row holds one source's values), so the rows are as wide as the widest source, not as all sources
   * together (the merge reads a slot as the row's own source's column). A source's columns of one type take that
   * type's slots in order: its order values, then outputs not among them.
   */
  private static final class ValueSlots {
    final List<DataType> types = new ArrayList<>();
    private final List<Map<String, Integer>> slotOf = new ArrayList<>();

    ValueSlots(List<AsOfSource> pass) {
      for (AsOfSource s : pass) {
        List<String> carried = new ArrayList<>(s.orderValues());
        s.outputs().stream().filter(c -> !carried.contains(c)).forEach(carried::add);
        Map<String, Integer> slots = new LinkedHashMap<>();
        Map<DataType, Integer> used = new java.util.HashMap<>();
        for (String c : carried) {
          DataType t = s.history().schema().apply(c).dataType();
          int nth = used.merge(t, 1, Integer::sum);
          int slot = -1;
          for (int i = 0, seen = 0; i < types.size() && slot < 0; i++) {
            if (types.get(i).equals(t) && ++seen == nth) {
              slot = i;
            }
          }
          if (slot < 0) {
            types.add(t);
            slot = types.size() - 1;
          }
          slots.put(c, slot);
        }
        slotOf.add(slots);
      }
    }

    /** The slot column holding source {@code g}'s {@code column}. */
    String column(int g, String column) {
      return PREFIX + "v" + slotOf.get(g).get(column);
    }

    /** Source {@code g}'s column in {@code slot}, or null when the source has none there. */
    String sourceColumn(int g, int slot) {
      return slotOf.get(g).entrySet().stream().filter(e -> e.getValue() == slot).map(Map.Entry::getKey)
          .findFirst().orElse(null);
    }
  }

  private Instant[] computeBounds() {
    Row r = spine.agg(min(col(timeColumn)), max(col(timeColumn))).first();
    return new Instant[] {r.isNullAt(0) ? null : toInstant(r.get(0)), r.isNullAt(1) ? null : toInstant(r.get(1))};
  }

  private static Instant toInstant(Object v) {
    return v instanceof Instant i ? i : ((java.sql.Timestamp) v).toInstant();
  }

  private static DataType keyType(AsOfSource s) {
    DataType t = s.history().schema().apply(s.recordId()).dataType();
    return t.equals(DataTypes.StringType) ? t : DataTypes.LongType;
  }

  private void validate() {
    if (sources.isEmpty()) {
      throw new IllegalArgumentException("as-of join: add at least one source");
    }
    StructType ss = spine.schema();
    check(Arrays.asList(ss.fieldNames()).contains(timeColumn), "the spine has no time column '" + timeColumn
        + "'; its columns are " + Arrays.toString(ss.fieldNames()));
    DataType tt = ss.apply(timeColumn).dataType();
    check(tt.equals(DataTypes.TimestampType), "spine time column '" + timeColumn + "' is " + tt.simpleString()
        + "; cast it to timestamp (a UTC instant) first");
    for (String c : ss.fieldNames()) {
      check(!c.startsWith(PREFIX), "spine column '" + c + "' uses the reserved prefix " + PREFIX + "; rename it");
    }
    List<String> names = new ArrayList<>(Arrays.asList(ss.fieldNames()));
    for (AsOfSource s : sources) {
      StructType hs = s.history().schema();
      check(Arrays.asList(ss.fieldNames()).contains(s.spineKey()),
          s.name() + ": the spine has no key column '" + s.spineKey() + "'");
      List<String> required = new ArrayList<>(List.of(s.recordId(), s.eventTime(), MetadataColumns.WRITE_TIME,
          MetadataColumns.IS_DELETED));
      required.addAll(s.orderValues());
      required.addAll(s.outputs());
      for (String c : required) {
        check(Arrays.asList(hs.fieldNames()).contains(c), s.name() + ": the history has no column '" + c
            + "'; its columns are " + Arrays.toString(hs.fieldNames()));
      }
      DataType idType = hs.apply(s.recordId()).dataType();
      check(idType.equals(DataTypes.StringType) || idType.equals(DataTypes.LongType)
          || idType.equals(DataTypes.IntegerType), s.name() + ": record id '" + s.recordId() + "' is "
          + idType.simpleString() + "; it must be a string or an integer");
      for (String n : s.outputNames()) {
        check(!names.contains(n), s.name() + ": output column '" + n + "' is already a spine column or an "
            + "output of another source");
        names.add(n);
      }
    }
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException("as-of join: " + message);
    }
  }

  private static String quote(String name) {
    return "`" + name.replace("`", "``") + "`";
  }
}
