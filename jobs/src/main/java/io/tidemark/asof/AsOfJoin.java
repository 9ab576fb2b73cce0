package io.tidemark.asof;

import static io.tidemark.asof.MergeLayout.EVENT_COLUMN;
import static io.tidemark.asof.MergeLayout.KEY_COLUMN;
import static io.tidemark.asof.MergeLayout.TIME_COLUMN;
import static io.tidemark.util.Sql.quote;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.unix_micros;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
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
    private final Map<AsOfSource, MergeLayout.Stats> stats = new IdentityHashMap<>();
    private final Map<AsOfSource, Integer> offsets = new IdentityHashMap<>();

    private StatsHandle(List<AsOfSource> sources) {
      this.sources = List.copyOf(sources);
    }

    /** In the order the sources were added. */
    List<SourceStats> read() {
      List<SourceStats> out = new ArrayList<>();
      for (AsOfSource source : sources) {
        MergeLayout.Stats s = stats.get(source);
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
    JoinValidation.validate(spine, timeColumn, sources);
    SparkSession spark = spine.sparkSession();
    Instant[] b = bounds.orElseGet(() -> HistorySide.spineTimeBounds(spine, timeColumn));
    Dataset<Row> left = spine.withColumn(TIME_COLUMN, unix_micros(col(timeColumn)));
    StatsHandle handle = new StatsHandle(sources);
    // one merge (one shuffle of the spine) per spine key column and key type
    Map<String, List<AsOfSource>> passes = new LinkedHashMap<>();
    for (AsOfSource s : sources) {
      passes.computeIfAbsent(s.spineKey() + "\u0000" + HistorySide.keyType(s).simpleString(),
          k -> new ArrayList<>()).add(s);
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

  /** The sources of {@code pass} (one spine key column) joined onto {@code left}: one shuffle, one merge. */
  private Dataset<Row> mergePass(SparkSession spark, Dataset<Row> left, List<AsOfSource> pass, Instant[] b,
      StatsHandle handle) {
    DataType keyType = HistorySide.keyType(pass.get(0));
    Dataset<Row> spineSide = left.withColumn(KEY_COLUMN, col(quote(pass.get(0).spineKey())).cast(keyType));
    ValueSlots slots = new ValueSlots(pass);
    Dataset<Row> history = null;
    for (int g = 0; g < pass.size(); g++) {
      Dataset<Row> h = HistorySide.of(pass.get(g), g, keyType, b, slots, options);
      history = history == null ? h : history.unionAll(h);
    }

    StructType spineSchema = spineSide.schema();
    StructType historySchema = history.schema();
    int[] spineCopy = new int[spineSchema.size() - 1];
    StructType outSchema = new StructType();
    int p = 0;
    for (int i = 0; i < spineSchema.size(); i++) {
      if (!spineSchema.fields()[i].name().equals(KEY_COLUMN)) {
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
    MergeLayout.Stats stats = new MergeLayout.Stats(acc[0], acc[1], acc[2]);
    for (int g = 0; g < pass.size(); g++) {
      handle.stats.put(pass.get(g), stats);
      handle.offsets.put(pass.get(g), g);
    }
    MergeLayout layout = new MergeLayout(spineSchema.fieldIndex(KEY_COLUMN), spineSchema.fieldIndex(TIME_COLUMN),
        spineCopy, types(spineSchema), types(historySchema),
        options.shiftsEventTime() ? historySchema.fieldIndex(EVENT_COLUMN) : MergeLayout.ELIGIBLE, orderIndex,
        outputIndex, ttl, stats);
    return strategy == Strategy.COGROUP
        ? MergeWiring.cogroup(spineSide, history, keyType, layout, outSchema)
        : MergeWiring.zipPartitions(spark, spineSide, history, layout, outSchema,
            partitions > 0 ? partitions : spark.sessionState().conf().numShufflePartitions());
  }

  private static DataType[] types(StructType schema) {
    return Arrays.stream(schema.fields()).map(f -> f.dataType()).toArray(DataType[]::new);
  }
}
