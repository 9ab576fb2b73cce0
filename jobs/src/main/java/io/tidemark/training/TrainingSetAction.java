package io.tidemark.training;

import io.tidemark.BadRequestException;
import io.tidemark.action.BaseAction;
import io.tidemark.asof.AsOfJoin;
import io.tidemark.asof.AsOfOptions;
import io.tidemark.definitions.Durations;
import io.tidemark.definitions.FeatureRegistry;
import io.tidemark.definitions.SourceDefinition;
import io.tidemark.definitions.SourceFormat;
import io.tidemark.offline.OfflineStore;
import io.tidemark.util.JobLabel;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Builds a point-in-time-correct training set: every spine (label) row joined, as of its time, to the chosen
 * features of one or more groups' offline histories; written with a manifest that can rebuild it.
 *
 * <pre>{@code
 * tidemark.trainingSet()
 *     .spine("s3://bucket/labels.csv", SourceFormat.CSV).spineTimeColumn("purchased_at")
 *     .features("users:*").features("products:price,category")
 *     .output("s3://bucket/training/v1", OutputFormat.PARQUET)
 *     .execute();
 * }</pre>
 */
public final class TrainingSetAction extends BaseAction<TrainingSetAction, TrainingSetResult> {
  private final OfflineStore store;
  private final FeatureRegistry registry;

  private Optional<SourceDefinition> spineFile = Optional.empty();
  private Optional<String> spineTable = Optional.empty();
  private String spineTimeColumn;
  private final List<FeatureSelection> selections = new ArrayList<>();
  private final Map<String, String> joinKeys = new HashMap<>();
  private final Map<String, Optional<Duration>> ttls = new HashMap<>();
  private AsOfOptions options = AsOfOptions.defaults();
  private boolean prefixFeatures;
  private String output;
  private OutputFormat format = OutputFormat.PARQUET;
  private Map<String, String> outputOptions = Map.of();
  private Optional<String> label = Optional.empty();
  private Optional<String> registerTable = Optional.empty();
  private boolean overwrite;
  private boolean singleFile;
  private AsOfJoin.Strategy strategy = AsOfJoin.Strategy.ZIP_PARTITIONS;
  private Map<String, Long> pinnedVersions = Map.of();
  private Optional<TrainingSetManifest> rebuilding = Optional.empty();

  public TrainingSetAction(SparkSession spark, OfflineStore store, FeatureRegistry registry) {
    super(spark);
    this.store = store;
    this.registry = registry;
  }

  /**
   * The spine (labels and entity ids) from a file or folder: csv (header; text columns typed, see SpineTypes),
   * json, parquet, delta.
   */
  public TrainingSetAction spine(String location, SourceFormat spineFormat) {
    this.spineFile = Optional.of(new SourceDefinition(location, spineFormat,
        SourceDefinition.defaultOptions(spineFormat), Optional.empty()));
    this.spineTable = Optional.empty();
    return this;
  }

  /** Reader options of a file spine, over Tidemark's defaults (csv: RFC 4180, multi-line quoted fields). */
  public TrainingSetAction spineOptions(Map<String, String> readerOptions) {
    SourceDefinition s = spineFile.orElseThrow(() -> new BadRequestException(
        "spine reader options need a spine file (--spine PATH)"));
    this.spineFile = Optional.of(s.withOptions(readerOptions));
    return this;
  }

  /** Writer options of a csv / sagemaker-csv output, over Tidemark's (RFC 4180 quoting, spaces kept). */
  public TrainingSetAction outputOptions(Map<String, String> writerOptions) {
    this.outputOptions = Map.copyOf(writerOptions);
    return this;
  }

  /** The spine from a catalog table ({@code db.table}). */
  public TrainingSetAction spineTable(String table) {
    this.spineTable = Optional.of(table);
    this.spineFile = Optional.empty();
    return this;
  }

  /** The spine column with each row's time: a timestamp, a date, or ISO-8601 text (zone-less text is UTC). */
  public TrainingSetAction spineTimeColumn(String column) {
    this.spineTimeColumn = column;
    return this;
  }

  /** {@code group:feature,feature} or {@code group:*}. */
  public TrainingSetAction features(String spec) {
    selections.add(FeatureSelection.parse(spec));
    return this;
  }

  public TrainingSetAction features(String group, List<String> features) {
    selections.add(new FeatureSelection(group, features));
    return this;
  }

  /** The spine column holding {@code group}'s record identifier (default: the column named like it). */
  public TrainingSetAction joinKey(String group, String spineColumn) {
    joinKeys.put(group, spineColumn);
    return this;
  }

  /** Overrides {@code group}'s TTL for this training set; empty means unbounded. */
  public TrainingSetAction ttl(String group, Optional<Duration> ttl) {
    ttls.put(group, ttl);
    return this;
  }

  /** Candidates need {@code event_time < t} instead of {@code <= t}. */
  public TrainingSetAction strict(boolean value) {
    options = options.withStrict(value);
    return this;
  }

  /** Candidates need {@code event_time <= t - delay}. */
  public TrainingSetAction delay(Duration value) {
    options = options.withDelay(value);
    return this;
  }

  /** Bitemporal: only rows with {@code write_time <= t} count. */
  public TrainingSetAction asKnownAt(boolean value) {
    options = options.withAsKnownAt(value);
    return this;
  }

  /** Time travel: only rows written at or before {@code time} exist. */
  public TrainingSetAction asOf(Optional<Instant> time) {
    options = options.withAsOf(time);
    return this;
  }

  /** Names every feature column {@code <group>__<feature>}. */
  public TrainingSetAction prefixFeatures(boolean value) {
    this.prefixFeatures = value;
    return this;
  }

  public TrainingSetAction output(String path, OutputFormat outputFormat) {
    this.output = path.replaceAll("/+$", "");
    this.format = outputFormat;
    return this;
  }

  /** The label column: first in sagemaker-csv (required there), recorded in the manifest. */
  public TrainingSetAction label(String column) {
    this.label = Optional.of(column);
    return this;
  }

  /** Also registers the output as a catalog table ({@code db.table}), pointing at the output location. */
  public TrainingSetAction registerTable(String table) {
    this.registerTable = Optional.of(table);
    return this;
  }

  /** Write exactly one data file (one task writes it all: for small sets, or readers that want one file). */
  public TrainingSetAction singleFile(boolean value) {
    this.singleFile = value;
    return this;
  }

  /** Replaces an existing output (and its manifest, and the registered table). */
  public TrainingSetAction overwrite(boolean value) {
    this.overwrite = value;
    return this;
  }

  public TrainingSetAction strategy(AsOfJoin.Strategy value) {
    this.strategy = value;
    return this;
  }

  /**
   * Everything from a manifest: the same spine (checked by content hash), features, options and the same
   * Delta version of every offline table, so the rows are the same however much was ingested since. The
   * output defaults to the manifest's; set another with {@link #output} (or {@link #overwrite}).
   */
  public TrainingSetAction fromManifest(String manifestPath) {
    TrainingSetManifest m = TrainingSetManifest.read(manifestPath, spark.sparkContext().hadoopConfiguration());
    rebuilding = Optional.of(m);
    if (m.spine().table().isPresent()) {
      spineTable(m.spine().table().get());
    } else {
      String fmt = m.spine().format().orElse("csv");
      spine(m.spine().location().orElseThrow(() -> new IllegalArgumentException("manifest " + manifestPath
          + " names no spine location or table")), SourceFormat.parse(fmt).orElseThrow(() ->
          new IllegalArgumentException("manifest " + manifestPath + ": unknown spine format '" + fmt + "'")));
    }
    spineTimeColumn(m.spine().timeColumn());
    selections.clear();
    Map<String, Long> versions = new HashMap<>();
    for (TrainingSetManifest.Group g : m.groups()) {
      features(g.group(), g.features());
      joinKey(g.group(), g.joinKey());
      ttl(g.group(), g.ttl().map(t -> Durations.parseOrThrow(t, "manifest ttl of " + g.group())));
      g.deltaVersion().ifPresent(v -> versions.put(g.group(), v));
    }
    pinnedVersions = Map.copyOf(versions);
    TrainingSetManifest.Options o = m.options();
    options = new AsOfOptions(o.strict(), Durations.parseOrThrow(o.delay(), "manifest delay"), o.asKnownAt(),
        o.asOf().map(Instant::parse));
    prefixFeatures = o.prefixFeatures();
    label = o.label();
    strategy = AsOfJoin.Strategy.valueOf(o.engine());
    output(m.output().path(), OutputFormat.parse(m.output().format()).orElseThrow(() ->
        new IllegalArgumentException("manifest " + manifestPath + ": unknown output format " + m.output().format())));
    return this;
  }

  /** The output location set so far (the manifest's, after {@link #fromManifest}). */
  public String outputPath() {
    return output;
  }

  public OutputFormat outputFormat() {
    return format;
  }

  /** What this builder collected, frozen. */
  private TrainingSetRequest request() {
    return new TrainingSetRequest(spineFile, spineTable, spineTimeColumn, selections, joinKeys, ttls, options,
        prefixFeatures, label, strategy, output, format, outputOptions, registerTable, overwrite, singleFile,
        pinnedVersions, rebuilding);
  }

  /**
   * Reads the spine (checked and profiled), pins and reads each group's history, joins, then writes and checks
   * the output and writes the manifest last: a manifest exists only beside a complete training set.
   */
  @Override
  protected void check() {
    request().validate();
  }

  @Override
  protected String name() {
    return "training-set";
  }

  @Override
  protected String description() {
    return request().output();
  }

  @Override
  protected TrainingSetResult run(JobLabel job) {
    Instant started = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    TrainingSetRequest request = request();
    String output = request.output();
    List<RequestedGroup> groups = request.resolve(registry);
    TrainingSetWriter writer = new TrainingSetWriter(spark, store, request);
    writer.refuseExistingOutput();
    SpineRows spine = SpineRows.read(spark, request, groups);

    job.step("training-set: " + output + ": read the spine (count, time range, hash)");
    SpineProfile profile = spine.profile(groups);
    Dataset<Row> spineRows = spine.joinable(groups);
    List<String> warnings = new ArrayList<>();
    request.rebuilding().ifPresent(m -> warnings.addAll(m.checkRebuild(request.spineName(), profile, groups)));

    AsOfJoin join = AsOfJoin.on(spineRows, SpineRows.SPINE_TIME).options(request.options())
        .strategy(request.strategy()).spineTimeBounds(profile.minTime(), profile.maxTime());
    GroupHistories histories = new GroupHistories(store);
    groups.forEach(g -> join.add(histories.source(g, request.pinnedVersions(), profile)));
    job.step("training-set: " + output + ": record the table versions read (" + store.manifests().location()
        + ")");
    histories.pin(request, groups, started);
    AsOfJoin.Result joined = join.join();
    TrainingSetWriter.Shaped shaped = writer.shape(joined, groups, job);

    job.step("training-set: " + output + ": as-of join of " + profile.rows() + " spine rows, write "
        + request.format().cliName());
    writer.write(shaped.rows());
    List<AsOfJoin.SourceStats> stats = joined.stats();

    job.step("training-set: " + output + ": check the output");
    TrainingSetWriter.Written written = writer.verify(shaped.rows());
    shaped.joined().unpersist();
    request.registerTable().ifPresent(t -> writer.register(t, shaped.rows()));

    List<TrainingSetResult.GroupStats> groupStats = new ArrayList<>();
    for (int i = 0; i < groups.size(); i++) {
      String group = groups.get(i).name();
      AsOfJoin.SourceStats s = stats.get(i);
      groupStats.add(new TrainingSetResult.GroupStats(group, histories.table(group).tableName(),
          histories.version(group), s.matched(), s.deleted(), s.noCandidate()));
    }
    String manifestPath = TrainingSetManifest.pathFor(output);
    TrainingSetManifest.of(request, groups, histories, stats, profile, written, shaped.encodings())
        .write(manifestPath, spark.sparkContext().hadoopConfiguration());
    return new TrainingSetResult(output, request.format(), manifestPath, profile.rows(), written.count(),
        joined.featureColumns(), groupStats, written.files(), request.registerTable(), warnings);
  }
}
