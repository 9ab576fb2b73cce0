package io.tidemark.ingest;

import static org.apache.spark.sql.functions.array_contains;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.when;

import io.tidemark.definitions.FeatureGroup;
import io.tidemark.definitions.SourceDefinition;
import io.tidemark.definitions.SourceInput;
import io.tidemark.definitions.WindowDefinition;
import io.tidemark.monitoring.FeatureProfile;
import io.tidemark.monitoring.Profiler;
import io.tidemark.offline.BatchLedger;
import io.tidemark.offline.MetadataColumns;
import io.tidemark.offline.OfflineStore;
import io.tidemark.offline.OfflineTable;
import io.tidemark.offline.QuarantineTable;
import io.tidemark.source.SourceReader;
import io.tidemark.transform.SqlTransform;
import io.tidemark.transform.WindowAggregator;
import io.tidemark.util.Alongside;
import io.tidemark.util.JobLabel;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;

/**
 * The one write path of the offline store, shared by ingest and delete: read, transform, validate, (aggregate
 * windows), then commit accepted rows to the offline table, the rest to the quarantine and a data-quality record,
 * exactly once per input.
 */
final class BatchIngest {
  /** True on a history row the offline table holds already. */
  private static final String STORED = "_tm_stored";
  private static final String ERASED_HASH = "_tm_erased_hash";
  private static final String ERASURE = "_tm_erasure";

  /**
   * How a batch runs: re-ingest anyway, the request time, an optional event-time range to (re)compute, and for a
   * window group an emit mode other than its definition's.
   */
  record Options(boolean force, Instant apiInvocationTime, Optional<Instant> start, Optional<Instant> end,
      Optional<WindowDefinition.Emit> emit) {
    Options {
      apiInvocationTime = apiInvocationTime.truncatedTo(ChronoUnit.MICROS);
      if (start.isPresent() != end.isPresent()) {
        throw new IllegalArgumentException("--start and --end go together");
      }
      if (start.isPresent() && !start.get().isBefore(end.get())) {
        throw new IllegalArgumentException("--start " + start.get() + " must be before --end " + end.get());
      }
    }

    Options(boolean force, Instant apiInvocationTime, Optional<Instant> start, Optional<Instant> end) {
      this(force, apiInvocationTime, start, end, Optional.empty());
    }

    boolean ranged() {
      return start.isPresent();
    }
  }

  private final OfflineStore store;
  private final FeatureGroup group;
  private final RowValidator.Mode mode;
  private final Optional<SourceDefinition> source;
  private final Optional<HistoryInput> history;
  private final Options options;
  private final String kind;

  BatchIngest(OfflineStore store, FeatureGroup group, RowValidator.Mode mode, SourceDefinition source,
      Options options) {
    this(store, group, mode, Optional.of(source), Optional.empty(), options);
  }

  /** A history import: rows that carry their own write_time, api_invocation_time and is_deleted. */
  BatchIngest(OfflineStore store, FeatureGroup group, HistoryInput history, Instant apiInvocationTime) {
    this(store, group, RowValidator.Mode.HISTORY, Optional.empty(), Optional.of(history),
        new Options(false, apiInvocationTime, Optional.empty(), Optional.empty()));
  }

  private BatchIngest(OfflineStore store, FeatureGroup group, RowValidator.Mode mode,
      Optional<SourceDefinition> source, Optional<HistoryInput> history, Options options) {
    this.store = store;
    this.group = group;
    this.mode = mode;
    this.source = source;
    this.history = history;
    this.options = options;
    this.kind = switch (mode) {
      case TOMBSTONES -> "delete";
      case HISTORY -> "import";
      case RECORDS -> "ingest";
    };
  }

  /** What a batch reads, however it came: its rows, the files that pin their content, and how to name it. */
  private record Input(String describe, Dataset<Row> rows, String[] files, Optional<java.nio.file.Path> transform,
      String fingerprintOptions) {}

  IngestResult run() {
    SparkSession spark = store.spark();
    OfflineTable table = store.forGroup(group);
    BatchLedger ledger = store.ledger();
    String what = history.map(HistoryInput::describe).orElseGet(() -> source.orElseThrow().describe());
    try (JobLabel label = JobLabel.start(spark, kind, group.name() + ": read " + what)) {
      Input input = history.map(h -> new Input(h.describe(), h.rows(), h.fileArray(), Optional.empty(), ""))
          .orElseGet(() -> readSource(spark));
      label.step(kind + ": " + group.name() + ": fingerprint the input");
      org.apache.hadoop.conf.Configuration hadoop = spark.sparkContext().hadoopConfiguration();
      String batchId = BatchFingerprint.of(input.files(), hadoop, group, input.transform(), mode,
          input.fingerprintOptions());
      label.step(kind + ": " + group.name() + ": look the batch up in the ledger");
      Optional<BatchLedger.Entry> previous = ledger.findAny(group.name(), List.of(batchId,
          BatchFingerprint.legacy(input.files(), hadoop, group, input.transform(), mode,
              input.fingerprintOptions())));
      if (previous.isPresent() && !options.force()) {
        BatchLedger.Entry e = previous.get();
        return new IngestResult(group.name(), kind, table.tableName(), e.batchId(), e.rowsRead(),
            e.rowsRead() - e.rowsQuarantined(), e.rowsQuarantined(), 0, 0, e.rowsWritten(), Map.of(), Map.of(),
            Optional.ofNullable(e.tableVersion()), Optional.empty(), true);
      }
      boolean windowed = group.windows().isPresent() && mode == RowValidator.Mode.RECORDS;
      RowSchema rowSchema = windowed ? RowSchema.windowEvents(group) : RowSchema.of(group);
      // not cached: building Spark's columnar cache of every row costs more than reading the source again (measured
      // with ./bench ingest); the batch reads its inputs, whose content the fingerprint pinned, once per pass
      Dataset<Row> validated = RowValidator.validate(input.rows(), rowSchema, mode);
      Optional<Dataset<Row>> erased = store.erasures().erasedHashes(store.database(), group.name());
      if (erased.isPresent()) {
        validated = refuseErased(validated, erased.get(), rowSchema.recordIdentifier());
      }
      Column stored = lit(false);
      if (mode == RowValidator.Mode.HISTORY) {
        validated = markStored(validated, table);
        stored = col(STORED);
      }
      Dataset<Row> rejected = null;
      Dataset<Row> output = null;
      Alongside profiling = null;
      try {
        label.step(kind + ": " + group.name() + ": validate rows");
        Column valid = size(col(RowValidator.REASONS)).equalTo(0);
        Column inRange = windowed ? lit(true) : inRange(col(rowSchema.eventTime()));
        Column isAccepted = valid.and(inRange).and(not(stored));
        // one pass: the counts, each warn rule's count and (but for window groups, whose output is aggregated)
        // the data-quality statistics of the accepted rows
        List<Column> aggregates = new ArrayList<>(List.of(sum(when(isAccepted, 1).otherwise(0)),
            sum(when(not(valid), 1).otherwise(0)), sum(when(valid.and(stored), 1).otherwise(0))));
        List<String> warnRules = rowSchema.warningMessages();
        warnRules.forEach(w -> aggregates.add(sum(when(isAccepted.and(array_contains(col(RowValidator.WARNINGS),
            w)), 1).otherwise(0))));
        int statsAt = aggregates.size() + 1;
        if (!windowed) {
          aggregates.addAll(DataQuality.statistics(group, isAccepted));
        }
        // the profile's first pass (counts, distinct, quantiles) rides on the same aggregation
        List<Profiler.Input> profiled = profiled();
        int profileAt = aggregates.size() + 1;
        if (!windowed) {
          aggregates.addAll(Profiler.firstPass(profiled, isAccepted));
        }
        Row counts = validated.agg(count(lit(1)), aggregates.toArray(Column[]::new)).first();
        long read = counts.getLong(0);
        long accepted = counts.isNullAt(1) ? 0 : counts.getLong(1);
        long quarantined = counts.isNullAt(2) ? 0 : counts.getLong(2);
        long alreadyStored = counts.isNullAt(3) ? 0 : counts.getLong(3);
        Map<String, Long> warnings = new TreeMap<>();
        for (int i = 0; i < warnRules.size(); i++) {
          long n = counts.isNullAt(4 + i) ? 0 : counts.getLong(4 + i);
          if (n > 0) {
            warnings.put(warnRules.get(i), n);
          }
        }
        Map<String, Long> reasons = Map.of();
        if (quarantined > 0) {
          // usually few: kept for their reason counts and the quarantine write
          rejected = validated.where(not(valid)).persist(StorageLevel.MEMORY_AND_DISK());
          reasons = Reasons.byLabel(Reasons.count(rejected, RowValidator.REASONS));
        }

        Instant writeInstant = Instant.now().truncatedTo(ChronoUnit.MICROS);
        Timestamp writeTime = Timestamp.from(writeInstant);
        String appId = "tidemark-" + kind + "-" + group.name() + "-" + batchId
            + (options.force() ? "-forced-" + writeInstant.toEpochMilli() : "");
        Dataset<Row> acceptedRows = validated.where(isAccepted);
        output = windowed ? windowRows(acceptedRows).persist(StorageLevel.MEMORY_AND_DISK()) : acceptedRows;
        Map<String, Row> featureStats = windowed ? DataQuality.featureStatistics(group, output)
            : DataQuality.featureStatistics(group, counts, statsAt, accepted);
        long written = windowed ? output.count() : accepted;

        if (!profiled.isEmpty() && written > 0) {
          // its own pass over the rows and its own table: alongside the write, done before the ledger records
          // the batch
          Dataset<Row> profiledRows = output;
          Row firstPass = counts;
          profiling = Alongside.start(spark, kind + ": " + group.name() + ": profile " + profiled.size()
              + " features", () -> {
                List<FeatureProfile> profiles = windowed ? Profiler.profile(profiledRows, profiled)
                    : Profiler.secondPass(profiledRows, profiled, firstPass, profileAt, accepted);
                table.profiles().append(Profiler.records(spark, profiles, batchId, writeTime, kind), appId);
              });
        }
        label.step(kind + ": " + group.name() + ": register " + table.tableName());
        table.ensureRegistered();
        Optional<Long> before = table.version();
        label.step(kind + ": " + group.name() + ": write " + written + " rows to " + table.tableName());
        String metadata = "{\"tidemark_batch\":\"" + batchId + "\",\"kind\":\"" + kind + "\"}";
        Dataset<Row> toWrite = withMetadata(output, writeTime);
        if (options.ranged()) {
          table.replaceRange(toWrite, java.util.OptionalLong.of(written), options.start().get(),
              options.end().get(), appId, metadata);
        } else if (written > 0) {
          table.append(toWrite, java.util.OptionalLong.of(written), appId, metadata);
        }
        if (quarantined > 0) {
          label.step(kind + ": " + group.name() + ": quarantine " + quarantined + " rows");
          QuarantineTable q = table.quarantine();
          q.ensureRegistered();
          q.append(rejected.select(
              lit(batchId).as(QuarantineTable.BATCH_ID), lit(writeTime).as(QuarantineTable.WRITE_TIME),
              lit(input.describe()).as(QuarantineTable.SOURCE), Reasons.messages(col(RowValidator.REASONS)).as(QuarantineTable.REASONS),
              col(RowValidator.RAW_ROW).as(QuarantineTable.RAW_ROW)), appId);
        }
        label.step(kind + ": " + group.name() + ": read the commit");
        Optional<OfflineTable.Commit> last = table.lastCommit();
        Optional<Long> after = last.map(OfflineTable.Commit::version);
        boolean committedEarlier = written > 0 && !options.ranged() && before.isPresent() && before.equals(after);
        Optional<Long> filesWritten = written == 0 || committedEarlier || after.equals(before) ? Optional.empty()
            : last.flatMap(OfflineTable.Commit::filesAdded);
        IngestResult result = new IngestResult(group.name(), kind, table.tableName(), batchId, read, accepted,
            quarantined, read - accepted - quarantined - alreadyStored, alreadyStored, written, reasons, warnings,
            after, filesWritten, committedEarlier);
        label.step(kind + ": " + group.name() + ": data-quality record");
        table.dataQuality().append(DataQuality.record(spark, featureStats, batchId, writeTime, kind, result), appId);
        if (profiling != null) {
          label.step(kind + ": " + group.name() + ": wait for the profile");
          profiling.join();
        }
        label.step(kind + ": " + group.name() + ": batch ledger");
        ledger.record(new BatchLedger.Entry(group.name(), batchId, kind, input.describe(), read, written,
            quarantined, after.orElse(null), writeTime, Timestamp.from(options.apiInvocationTime()),
            List.of(input.files()), input.transform().map(Object::toString),
            input.transform().map(BatchIngest::sha256)));
        return result;
      } finally {
        if (profiling != null) {
          profiling.close();
        }
        if (rejected != null) {
          rejected.unpersist();
        }
        if (windowed && output != null) {
          output.unpersist();
        }
      }
    }
  }

  /** The features a batch profiles: its value features (none for tombstones, whose features are null). */
  private List<Profiler.Input> profiled() {
    return mode == RowValidator.Mode.TOMBSTONES ? List.of()
        : group.valueFeatures().stream().map(Profiler.Input::of).toList();
  }

  /** The source's inputs, through its transform (none for tombstones). */
  private Input readSource(SparkSession spark) {
    SourceDefinition s = source.orElseThrow();
    Optional<SqlTransform> transform = mode == RowValidator.Mode.TOMBSTONES ? Optional.empty()
        : s.transform().map(t -> SqlTransform.load(spark, t));
    Map<String, Dataset<Row>> inputs = readInputs(spark, s);
    Dataset<Row> rows = transform.map(t -> t.apply(spark, inputs)).orElseGet(() -> inputs.get(s.primary().name()));
    return new Input(s.describe(), rows, inputFiles(inputs), transform.map(SqlTransform::file),
        fingerprintOptions(s));
  }

  /**
   * Refuses rows of erased record ids: each gets a reason naming the erasure, and its raw row is not kept (the
   * quarantine would otherwise store the erased person's data again), so counts still add up.
   */
  private Dataset<Row> refuseErased(Dataset<Row> validated, Dataset<Row> erasedHashes, String idColumn) {
    Dataset<Row> hashes = erasedHashes.groupBy(col("id_sha256").as(ERASED_HASH))
        .agg(functions.min(col("erasure_id")).as(ERASURE));
    Column match = io.tidemark.offline.ErasureLedger.hash(store.database(), group.name(), validated.col(idColumn))
        .equalTo(hashes.col(ERASED_HASH));
    Dataset<Row> joined = validated.join(functions.broadcast(hashes), match, "left_outer");
    Column isErased = hashes.col(ERASED_HASH).isNotNull();
    List<Column> out = new ArrayList<>();
    for (String c : validated.columns()) {
      Column v = validated.col(c);
      if (c.equals(RowValidator.REASONS)) {
        Column reason = new Constraint.NotErased(idColumn).failure(TypedColumns.Typed.of(hashes.col(ERASURE)))
            .orElseThrow();
        v = when(isErased, functions.concat(v, functions.array(reason))).otherwise(v);
      } else if (c.equals(RowValidator.RAW_ROW)) {
        v = when(isErased, lit(null).cast("string")).otherwise(v);
      }
      out.add(v.as(c));
    }
    return joined.select(out.toArray(Column[]::new));
  }

  /**
   * Marks ({@link #STORED}) the history rows whose record id, event time, write_time and api_invocation_time the
   * table holds already, so importing a store again (or after it grew) writes only what is new.
   */
  private Dataset<Row> markStored(Dataset<Row> validated, OfflineTable table) {
    List<String> keys = List.of(group.recordIdentifier(), group.eventTime(), MetadataColumns.WRITE_TIME,
        MetadataColumns.API_INVOCATION_TIME);
    if (!table.exists()) {
      return validated.withColumn(STORED, lit(false));
    }
    Dataset<Row> present = table.read().select(keys.stream().map(k -> col(k).as("_tm_stored_" + k))
        .toArray(Column[]::new)).distinct().withColumn(STORED, lit(true));
    Column on = lit(true);
    for (String k : keys) {
      on = on.and(col(k).equalTo(present.col("_tm_stored_" + k)));
    }
    List<Column> out = new ArrayList<>();
    for (String c : validated.columns()) {
      out.add(validated.col(c));
    }
    out.add(functions.coalesce(present.col(STORED), lit(false)).as(STORED));
    return validated.join(present, on, "left_outer").select(out.toArray(Column[]::new));
  }

  private Map<String, Dataset<Row>> readInputs(SparkSession spark, SourceDefinition source) {
    Map<String, Dataset<Row>> inputs = new LinkedHashMap<>();
    for (SourceInput input : source.inputs()) {
      Dataset<Row> raw = mode == RowValidator.Mode.TOMBSTONES
          ? SourceReader.read(spark, input, "delete file", "check delete --source PATH and --format")
          : SourceReader.read(spark, input);
      if (options.ranged()) {
        Instant readFrom = options.start().get().minus(lookback());
        raw = SourceReader.dateRange(raw, input, readFrom, options.end().get());
      }
      inputs.put(input.name(), raw);
    }
    return inputs;
  }

  /** How far before --start a backfill must read: a window group's longest window plus its delay. */
  private java.time.Duration lookback() {
    return group.windows().map(w -> w.longestWindow().plus(w.delay())).orElse(java.time.Duration.ZERO);
  }

  private static String[] inputFiles(Map<String, Dataset<Row>> inputs) {
    List<String> files = new ArrayList<>();
    inputs.values().forEach(d -> files.addAll(List.of(d.inputFiles())));
    return files.toArray(String[]::new);
  }

  private String fingerprintOptions(SourceDefinition source) {
    Map<String, String> all = new TreeMap<>();
    source.inputs().forEach(i -> i.options().forEach((k, v) -> all.put(i.name() + "." + k, v)));
    options.start().ifPresent(s -> all.put("range.start", s.toString()));
    options.end().ifPresent(e -> all.put("range.end", e.toString()));
    return all.toString();
  }

  private Column inRange(Column eventTime) {
    if (!options.ranged()) {
      return lit(true);
    }
    return eventTime.isNull().or(eventTime.geq(lit(Timestamp.from(options.start().get())))
        .and(eventTime.lt(lit(Timestamp.from(options.end().get())))));
  }

  private Dataset<Row> windowRows(Dataset<Row> events) {
    WindowDefinition w = group.windows().orElseThrow();
    Dataset<Row> relevant = events;
    if (options.ranged()) {
      relevant = events.where(col(w.timeColumn()).geq(lit(Timestamp.from(options.start().get().minus(lookback()))))
          .and(col(w.timeColumn()).lt(lit(Timestamp.from(options.end().get())))));
    }
    return WindowAggregator.aggregate(relevant, group, options.emit().orElse(w.emit()), options.start(),
        options.end());
  }

  private Dataset<Row> withMetadata(Dataset<Row> rows, Timestamp writeTime) {
    if (mode == RowValidator.Mode.HISTORY) {
      // history keeps when it was written and requested, and which rows are tombstones
      return rows.withColumn(MetadataColumns.EVENT_DATE, to_date(col(group.eventTime())));
    }
    return rows
        .withColumn(MetadataColumns.WRITE_TIME, lit(writeTime))
        .withColumn(MetadataColumns.API_INVOCATION_TIME, lit(Timestamp.from(options.apiInvocationTime())))
        .withColumn(MetadataColumns.IS_DELETED, lit(mode == RowValidator.Mode.TOMBSTONES))
        .withColumn(MetadataColumns.EVENT_DATE, to_date(col(group.eventTime())));
  }

  private static String sha256(java.nio.file.Path file) {
    try {
      return io.tidemark.util.Hashing.sha256Hex(java.nio.file.Files.readAllBytes(file));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot read the transform " + file, e);
    }
  }
}
