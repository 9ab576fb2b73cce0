package io.tidemark.ingest;

import io.tidemark.definitions.FeatureGroup;
import io.tidemark.definitions.SourceDefinition;
import io.tidemark.definitions.SourceFormat;
import io.tidemark.definitions.WindowDefinition;
import io.tidemark.offline.OfflineStore;
import java.time.Instant;
import java.util.Optional;

/**
 * Ingests a feature group's source into its offline table:
 * {@code tidemark.ingest("users").source(path, SourceFormat.CSV).execute()}.
 */
public final class IngestAction extends BatchAction<IngestAction> {
  private final OfflineStore store;
  private final FeatureGroup group;
  private Optional<SourceDefinition> source;
  private boolean force;
  private Instant apiInvocationTime = Instant.now();
  private Optional<Instant> start = Optional.empty();
  private Optional<Instant> end = Optional.empty();
  private Optional<WindowDefinition.Emit> emit = Optional.empty();

  public IngestAction(OfflineStore store, FeatureGroup group) {
    super(store);
    this.store = store;
    this.group = group;
    this.source = group.source();
  }

  /** Reads from {@code path} in {@code format} instead of the definition's source (its transform still applies). */
  public IngestAction source(String path, SourceFormat format) {
    SourceDefinition base = group.source()
        .orElse(new SourceDefinition(path, format, SourceDefinition.defaultOptions(format), Optional.empty()));
    this.source = Optional.of(base.withLocation(path, format));
    return this;
  }

  /**
   * Spark reader options for this run, over the definition's {@code source.options} (and Tidemark's defaults, see
   * {@link io.tidemark.source.SourceReader#defaults}); applied to every input of the source.
   */
  public IngestAction sourceOptions(java.util.Map<String, String> options) {
    SourceDefinition s = source.orElseThrow(() -> new IllegalArgumentException("group '" + group.name()
        + "' has no source in " + group.file() + "; reader options need one (pass --source PATH)"));
    this.source = Optional.of(s.withOptions(options));
    return this;
  }

  /** Ingests even if this exact input was committed before (appends its rows again). */
  public IngestAction force(boolean force) {
    this.force = force;
    return this;
  }

  /** When the ingest was requested (stored as api_invocation_time); defaults to when this action was made. */
  public IngestAction apiInvocationTime(Instant time) {
    this.apiInvocationTime = time;
    return this;
  }

  /**
   * (Re)computes only the rows with event time in {@code [start, end)}, replacing that range of the offline table:
   * a backfill. Re-running a range gives the same table; ranges may run in any order. Needs a Delta offline table.
   */
  public IngestAction range(Instant rangeStart, Instant rangeEnd) {
    this.start = Optional.of(rangeStart);
    this.end = Optional.of(rangeEnd);
    return this;
  }

  /** Overrides the window group's {@code emit} mode for this run (e.g. a daily snapshot backfill). */
  public IngestAction emit(WindowDefinition.Emit mode) {
    group.windows().orElseThrow(() -> new IllegalArgumentException(
        "--emit applies to window groups; '" + group.name() + "' has no windows: section in " + group.file()));
    this.emit = Optional.of(mode);
    return this;
  }

  @Override
  protected void check() {
    if (source.isEmpty()) {
      throw new IllegalArgumentException("group '" + group.name() + "' has no source in " + group.file()
          + "; add one, or pass --source PATH --format FMT");
    }
  }

  @Override
  protected String name() {
    return "ingest";
  }

  @Override
  BatchIngest batch() {
    return new BatchIngest(store, group, RowValidator.Mode.RECORDS, source.orElseThrow(),
        new BatchIngest.Options(force, apiInvocationTime, start, end, emit));
  }
}
