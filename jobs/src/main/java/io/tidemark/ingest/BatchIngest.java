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
import io.tidemark.definitions.WindowDefinition;
import io.tidemark.monitoring.FeatureProfile;
import io.tidemark.monitoring.Profiler;
import io.tidemark.offline.BatchLedger;
import io.tidemark.offline.MetadataColumns;
import io.tidemark.offline.OfflineStore;
import io.tidemark.offline.OfflineTable;
import io.tidemark.offline.SideTable;
import io.tidemark.transform.WindowAggregator;
import io.tidemark.util.Alongside;
import io.tidemark.util.JobLabel;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

/**
 * The one write path of the offline store, shared by ingest and delete: read, transform, validate, (aggregate
 * windows), then commit accepted rows to the offline table, the rest to the quarantine and a data-quality record,
 * exactly once per input.
 */
final class BatchIngest {
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

  /** The batch's first step, which its action's job group is described by. */
  String description() {
    return group.name() + ": read " + history.map(HistoryInput::describe)
        .orElseGet(() -> source.orElseThrow().describe());
  }

  /** Runs the batch inside its action's job group ({@code label}, started with {@link #description}). */
  IngestResult run(JobLabel label) {
    SparkSession spark = store.spark();
    OfflineTable table = store.forGroup(group);
    BatchLedger ledger = store.ledger();
    BatchInput input = history.map(BatchInput::of)
        .orElseGet(() -> BatchInput.read(spark, group, source.orElseThrow(), mode, options));
    label.step(step("fingerprint the input"));
    org.apache.hadoop.conf.Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    String batchId = BatchFingerprint.of(input.files(), hadoop, group, input.transform(), mode,
        input.fingerprintOptions());
    label.step(step("look the batch up in the ledger"));
    Optional<BatchLedger.Entry> previous = ledger.findAny(group.name(), List.of(batchId,
        BatchFingerprint.legacy(input.files(), hadoop, group, input.transform(), mode,
            input.fingerprintOptions())));
    if (previous.isPresent() && !options.force()) {
      BatchLedger.Entry e = previous.get();
      return new IngestResult(group.name(), kind, table.tableName(), e.batchId(), e.rowsRead(),
          e.rowsRead() - e.rowsQuarantined(), e.rowsQuarantined(), 0, 0, e.rowsWritten(), Map.of(), Map.of(),
          Optional.ofNullable(e.tableVersion()), Optional.empty(), true);
    }
    label.step(step("plan the validation, check erasures"));
    boolean windowed = group.windows().isPresent() && mode == RowValidator.Mode.RECORDS;
    RowSchema rowSchema = windowed ? RowSchema.windowEvents(group) : RowSchema.of(group);
    // not cached: building Spark's columnar cache of every row costs more than reading the source again (measured
    // with ./bench ingest); the batch reads its inputs, whose content the fingerprint pinned, once per pass
    Dataset<Row> validated = RowValidator.validate(input.rows(), rowSchema, mode);
    Optional<Dataset<Row>> erased = store.erasures().erasedHashes(store.database(), group.name());
    if (erased.isPresent()) {
      validated = StoreChecks.refuseErased(store.database(), group.name(), validated, erased.get(),
          rowSchema.recordIdentifier());
    }
    Column stored = lit(false);
    if (mode == RowValidator.Mode.HISTORY) {
      validated = StoreChecks.markStored(validated, table, group.recordIdentifier(), group.eventTime());
      stored = col(StoreChecks.STORED);
    }
    Dataset<Row> rejected = null;
    Dataset<Row> output = null;
    Alongside profiling = null;
    try {
      label.step(step("validate rows"));
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
        profiling = Alongside.start(spark, step("profile " + profiled.size()
            + " features"), () -> {
              List<FeatureProfile> profiles = windowed ? Profiler.profile(profiledRows, profiled)
                  : Profiler.secondPass(profiledRows, profiled, firstPass, profileAt, accepted);
              table.profiles().append(Profiler.records(spark, profiles, batchId, writeTime, kind), appId);
            });
      }
      label.step(step("register " + table.tableName()));
      table.ensureRegistered();
      Optional<Long> before = table.version();
      label.step(step("write " + written + " rows to " + table.tableName()));
      String metadata = "{\"tidemark_batch\":\"" + batchId + "\",\"kind\":\"" + kind + "\"}";
      Dataset<Row> toWrite = withMetadata(output, writeTime);
      if (options.ranged()) {
        table.replaceRange(toWrite, java.util.OptionalLong.of(written), options.start().get(),
            options.end().get(), appId, metadata);
      } else if (written > 0) {
        table.append(toWrite, java.util.OptionalLong.of(written), appId, metadata);
      }
      if (quarantined > 0) {
        label.step(step("quarantine " + quarantined + " rows"));
        table.quarantine().append(rejected.select(
            lit(batchId).as(SideTable.BATCH_ID), lit(writeTime).as(SideTable.WRITE_TIME),
            lit(input.describe()).as(SideTable.SOURCE),
            Reasons.messages(col(RowValidator.REASONS)).as(SideTable.REASONS),
            col(RowValidator.RAW_ROW).as(SideTable.RAW_ROW)), appId);
      }
      label.step(step("read the commit"));
      Optional<OfflineTable.Commit> last = table.lastCommit();
      Optional<Long> after = last.map(OfflineTable.Commit::version);
      boolean committedEarlier = written > 0 && !options.ranged() && before.isPresent() && before.equals(after);
      Optional<Long> filesWritten = written == 0 || committedEarlier || after.equals(before) ? Optional.empty()
          : last.flatMap(OfflineTable.Commit::filesAdded);
      IngestResult result = new IngestResult(group.name(), kind, table.tableName(), batchId, read, accepted,
          quarantined, read - accepted - quarantined - alreadyStored, alreadyStored, written, reasons, warnings,
          after, filesWritten, committedEarlier);
      label.step(step("data-quality record"));
      table.dataQuality().append(DataQuality.record(spark, featureStats, batchId, writeTime, kind, result), appId);
      if (profiling != null) {
        label.step(step("wait for the profile"));
        profiling.join();
      }
      label.step(step("batch ledger"));
      ledger.record(new BatchLedger.Entry(group.name(), batchId, kind, input.describe(), read, written,
          quarantined, after.orElse(null), writeTime, Timestamp.from(options.apiInvocationTime()),
          List.of(input.files()), input.transform().map(Object::toString),
          input.transformSha256()));
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

  /** A step of this batch as its Spark jobs are described: "ingest: users: validate rows". */
  private String step(String what) {
    return kind + ": " + group.name() + ": " + what;
  }

  /** The features a batch profiles: its value features (none for tombstones, whose features are null). */
  private List<Profiler.Input> profiled() {
    return mode == RowValidator.Mode.TOMBSTONES ? List.of()
        : group.valueFeatures().stream().map(Profiler.Input::of).toList();
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
      Instant readFrom = options.start().get().minus(BatchInput.lookback(group));
      relevant = events.where(col(w.timeColumn()).geq(lit(Timestamp.from(readFrom)))
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
}
