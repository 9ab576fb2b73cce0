package io.tidemark.training;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import io.tidemark.asof.AsOfJoin;
import io.tidemark.asof.AsOfOptions;
import io.tidemark.asof.AsOfSource;
import io.tidemark.definitions.Durations;
import io.tidemark.definitions.FeatureDefinition;
import io.tidemark.definitions.FeatureGroup;
import io.tidemark.definitions.FeatureRegistry;
import io.tidemark.definitions.FeatureType;
import io.tidemark.definitions.SourceDefinition;
import io.tidemark.definitions.SourceFormat;
import io.tidemark.offline.CatalogEntry;
import io.tidemark.offline.ManifestLedger;
import io.tidemark.offline.MetadataColumns;
import io.tidemark.offline.OfflineStore;
import io.tidemark.offline.OfflineTable;
import io.tidemark.source.SourceReader;
import io.tidemark.util.Hashing;
import io.tidemark.util.JobLabel;
import io.tidemark.util.Sql;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.TimestampNTZType;

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
public final class TrainingSetAction {
  /** The spine time as a timestamp, next to the spine's own (unchanged) columns while joining. */
  private static final String SPINE_TIME = "_tidemark_spine_time";

  private final SparkSession spark;
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
    this.spark = spark;
    this.store = store;
    this.registry = registry;
  }

  /** The spine (labels and entity ids) from a file or folder: csv (header; text columns typed, see SpineTypes), json, parquet, delta. */
  public TrainingSetAction spine(String location, SourceFormat spineFormat) {
    this.spineFile = Optional.of(new SourceDefinition(location, spineFormat,
        SourceDefinition.defaultOptions(spineFormat), Optional.empty()));
    this.spineTable = Optional.empty();
    return this;
  }

  /** Reader options of a file spine, over Tidemark's defaults (csv: RFC 4180, multi-line quoted fields). */
  public TrainingSetAction spineOptions(Map<String, String> readerOptions) {
    SourceDefinition s = spineFile.orElseThrow(() -> new io.tidemark.BadRequestException(
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

  /** Replaces an existing output (and its manifest, and the registered table). */
  /** Write exactly one data file (one task writes it all: for small sets, or readers that want one file). */
  public TrainingSetAction singleFile(boolean value) {
    this.singleFile = value;
    return this;
  }

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

  /** One group of the request, resolved against the definitions. */
  private record Part(FeatureGroup group, List<String> features, String joinKey, Optional<Duration> ttl,
      List<String> outputNames) {}

  public TrainingSetResult execute() {
    Instant started = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    checkRequest();
    List<Part> parts = resolveParts();
    try (JobLabel job = JobLabel.start(spark, "training-set", output)) {
      if (!overwrite && exists(output)) {
        throw new IllegalArgumentException("output " + output + " already exists; choose another --output or pass "
            + "--overwrite");
      }
      Dataset<Row> raw = readSpine();
      checkSpineColumns(raw, parts);
      Dataset<Row> withTime = raw.withColumn(SPINE_TIME, spineTime(raw));

      job.step("training-set: " + output + ": read the spine (count, time range, hash)");
      SpineProfile profile = profile(raw, withTime, parts);
      Dataset<Row> spine = typedSpine(withTime, parts).drop(SourceReader.CORRUPT_RECORD);
      List<String> warnings = new ArrayList<>();
      rebuilding.ifPresent(m -> checkRebuild(m, profile, parts, warnings));

      AsOfJoin join = AsOfJoin.on(spine, SPINE_TIME).options(options).strategy(strategy)
          .spineTimeBounds(profile.minTime(), profile.maxTime());
      Map<String, OfflineTable> tables = new LinkedHashMap<>();
      Map<String, Optional<Long>> versions = new LinkedHashMap<>();
      for (Part p : parts) {
        OfflineTable table = store.forGroup(p.group());
        if (!table.exists()) {
          throw new IllegalArgumentException("group '" + p.group().name() + "' has no offline table "
              + table.tableName() + " yet; run: tidemark ingest " + p.group().name());
        }
        Optional<Long> version = Optional.ofNullable(pinnedVersions.get(p.group().name())).or(table::version);
        tables.put(p.group().name(), table);
        versions.put(p.group().name(), version);
        Dataset<Row> history = version.isPresent() ? table.readVersion(version.get()) : table.read();
        join.add(new AsOfSource(p.group().name(), prune(history, p, profile), p.joinKey(),
            p.group().recordIdentifier(), p.group().eventTime(),
            p.group().valueFeatures().stream().map(FeatureDefinition::name).toList(), p.features(), p.outputNames(),
            p.ttl()));
      }
      job.step("training-set: " + output + ": record the table versions read (" + store.manifests().location()
          + ")");
      pin(tables, versions, parts, started);
      AsOfJoin.Result joined = join.join();
      Dataset<Row> base = joined.rows().drop(SPINE_TIME);
      Dataset<Row> rows = base;
      Map<String, List<String>> encodings = Map.of();
      Map<String, FeatureDefinition> collections = new LinkedHashMap<>();
      for (Part p : parts) {
        for (int i = 0; i < p.features().size(); i++) {
          int at = i;
          p.group().feature(p.features().get(i)).filter(FeatureDefinition::isCollection)
              .ifPresent(f -> collections.put(p.outputNames().get(at), f));
        }
      }
      if (format == OutputFormat.CSV) {
        // CSV has no arrays: a collection is its JSON text, as ingest reads it back from a csv cell
        for (String c : collections.keySet()) {
          rows = rows.withColumn(c, org.apache.spark.sql.functions.to_json(col(Sql.quote(c))));
        }
      }
      if (format == OutputFormat.SAGEMAKER_CSV) {
        job.step("training-set: " + output + ": encode text columns for sagemaker-csv");
        base = base.persist(StorageLevel.MEMORY_AND_DISK()); // the encodings read the joined rows once more
        SageMakerCsv.Shaped shaped = SageMakerCsv.shape(base, label.get(), joined.featureColumns(), collections);
        rows = shaped.rows();
        encodings = shaped.encodings();
      }

      job.step("training-set: " + output + ": as-of join of " + profile.rows() + " spine rows, write "
          + format.cliName());
      write(rows);
      List<AsOfJoin.SourceStats> stats = joined.stats();

      job.step("training-set: " + output + ": check the output");
      Dataset<Row> written = readOutput(rows);
      long outputRows = written.count();
      List<String> files = Arrays.stream(written.inputFiles()).sorted().toList();
      base.unpersist();
      Dataset<Row> shaped = rows;
      registerTable.ifPresent(t -> register(t, shaped));

      List<TrainingSetResult.GroupStats> groupStats = new ArrayList<>();
      List<TrainingSetManifest.Group> manifestGroups = new ArrayList<>();
      for (int i = 0; i < parts.size(); i++) {
        Part p = parts.get(i);
        AsOfJoin.SourceStats s = stats.get(i);
        OfflineTable table = tables.get(p.group().name());
        Optional<Long> version = versions.get(p.group().name());
        groupStats.add(new TrainingSetResult.GroupStats(p.group().name(), table.tableName(), version, s.matched(),
            s.deleted(), s.noCandidate()));
        manifestGroups.add(new TrainingSetManifest.Group(p.group().name(), p.features(), p.joinKey(),
            p.ttl().map(Durations::format), table.tableName(), table.format().sparkName(), version,
            p.group().contentHash(), s.matched(), s.deleted(), s.noCandidate()));
      }
      String manifestPath = TrainingSetManifest.pathFor(output);
      TrainingSetManifest manifest = new TrainingSetManifest(TrainingSetManifest.VERSION,
          Instant.now().truncatedTo(ChronoUnit.MILLIS).toString(),
          new TrainingSetManifest.Spine(spineFile.map(SourceDefinition::path),
              spineFile.map(s -> s.format().sparkName()), spineTable, spineTimeColumn, profile.contentHash()),
          manifestGroups, definitionsHash(parts),
          new TrainingSetManifest.Options(options.strict(), Durations.format(options.delay()), options.asKnownAt(),
              options.asOf().map(Instant::toString), prefixFeatures, label, strategy.name()),
          new TrainingSetManifest.Output(output, format.cliName(), files, registerTable,
              Arrays.stream(written.schema().fields()).map(f -> new TrainingSetManifest.Column(f.name(),
                  f.dataType().catalogString())).toList(), encodings),
          profile.rows(), outputRows);
      manifest.write(manifestPath, spark.sparkContext().hadoopConfiguration());
      return new TrainingSetResult(output, format, manifestPath, profile.rows(), outputRows,
          joined.featureColumns(), groupStats, files, registerTable, warnings);
    }
  }

  /**
   * Records, before anything is written, which version of each group this build reads and where its manifest goes,
   * so that {@code vacuum} keeps those files ({@link ManifestLedger}; a build that fails leaves a row whose manifest
   * does not exist, which vacuum does not count).
   */
  private void pin(Map<String, OfflineTable> tables, Map<String, Optional<Long>> versions, List<Part> parts,
      Instant started) {
    ManifestLedger ledger = store.manifests();
    String manifest = ledger.qualify(TrainingSetManifest.pathFor(output));
    String out = ledger.qualify(output);
    // lineage: which features of each group, from which spine
    Optional<String> spine = spineTable.map(t -> "table " + t).or(() -> spineFile.map(f -> ledger.qualify(f.path())));
    List<ManifestLedger.Pin> pins = new ArrayList<>();
    tables.forEach((group, table) -> {
      Optional<Long> version = versions.get(group);
      List<String> features = parts.stream().filter(p -> p.group().name().equals(group))
          .flatMap(p -> p.features().stream()).distinct().toList();
      pins.add(new ManifestLedger.Pin(store.database(), group, version, version.map(table::commitTime), manifest,
          out, started, features, spine));
    });
    ledger.record(pins);
  }

  private void checkRequest() {
    if (spineFile.isEmpty() && spineTable.isEmpty()) {
      throw new io.tidemark.BadRequestException("no spine: pass --spine PATH (csv, json, parquet or delta) or --spine-table "
          + "DB.TABLE");
    }
    if (spineTimeColumn == null) {
      throw new io.tidemark.BadRequestException("no spine time column: pass --spine-time-column COL (the time each label "
          + "row is as of)");
    }
    if (selections.isEmpty()) {
      throw new io.tidemark.BadRequestException("no features: pass --features " + FeatureSelection.SYNTAX
          + " (repeatable)");
    }
    if (output == null) {
      throw new io.tidemark.BadRequestException("no output: pass --output PATH");
    }
    if (format == OutputFormat.SAGEMAKER_CSV && label.isEmpty()) {
      throw new io.tidemark.BadRequestException("sagemaker-csv puts the label column first: pass --label COL");
    }
    Set<String> known = new HashSet<>();
    selections.forEach(s -> known.add(s.group()));
    for (String g : joinKeys.keySet()) {
      if (!known.contains(g)) {
        throw new io.tidemark.BadRequestException("--join-key " + g + "=...: group '" + g + "' is not among the features ("
            + String.join(", ", known) + ")");
      }
    }
    for (String g : ttls.keySet()) {
      if (!known.contains(g)) {
        throw new io.tidemark.BadRequestException("--ttl " + g + "=...: group '" + g + "' is not among the features ("
            + String.join(", ", known) + ")");
      }
    }
  }

  private List<Part> resolveParts() {
    List<Part> parts = new ArrayList<>();
    Set<String> groups = new HashSet<>();
    for (FeatureSelection raw : selections) {
      FeatureSelection s = raw.resolve(registry);
      if (!groups.add(s.group())) {
        throw new io.tidemark.BadRequestException("group '" + s.group() + "' is listed in more than one --features; "
            + "list all its features once: " + s.group() + ":a,b,c");
      }
      FeatureGroup g = registry.group(s.group());
      List<String> names = s.features().stream().map(f -> prefixFeatures ? g.name() + "__" + f : f).toList();
      parts.add(new Part(g, s.features(), joinKeys.getOrDefault(g.name(), g.recordIdentifier()),
          ttls.containsKey(g.name()) ? ttls.get(g.name()) : g.ttl(), names));
    }
    // rule 7: a feature column never silently shadows another
    Map<String, String> owner = new HashMap<>();
    for (Part p : parts) {
      for (String n : p.outputNames()) {
        String other = owner.put(n, p.group().name());
        if (other != null) {
          throw new io.tidemark.BadRequestException("feature column '" + n + "' comes from groups '" + other + "' and '"
              + p.group().name() + "'; pass --prefix-features to name feature columns <group>__<feature>, or "
              + "request '" + n + "' from one group only");
        }
      }
    }
    return parts;
  }

  private Dataset<Row> readSpine() {
    if (spineTable.isPresent()) {
      if (!spark.catalog().tableExists(spineTable.get())) {
        throw new IllegalArgumentException("spine table " + spineTable.get() + " does not exist in the catalog");
      }
      return spark.table(spineTable.get());
    }
    return SourceReader.read(spark, spineFile.get().primary(), "spine",
        "check --spine PATH and --spine-format, or read the spine from the catalog with --spine-table DB.TABLE");
  }

  /** A CSV spine's text columns typed ({@link SpineTypes}), join keys kept as written; other spines as they are. */
  private Dataset<Row> typedSpine(Dataset<Row> spine, List<Part> parts) {
    if (spineFile.isEmpty() || spineFile.get().format() != SourceFormat.CSV) {
      return spine;
    }
    Set<String> keys = new HashSet<>(List.of(SourceReader.CORRUPT_RECORD));
    parts.forEach(p -> keys.add(p.joinKey()));
    return SpineTypes.infer(spine, keys);
  }

  private String spineName() {
    return spineTable.map(t -> "spine table " + t).orElseGet(() -> "spine " + spineFile.get().path());
  }

  private void checkSpineColumns(Dataset<Row> raw, List<Part> parts) {
    List<String> cols = Arrays.stream(raw.columns()).filter(c -> !c.equals(SourceReader.CORRUPT_RECORD)).toList();
    if (!cols.contains(spineTimeColumn)) {
      throw new IllegalArgumentException(spineName() + " has no time column '" + spineTimeColumn + "'; its columns: "
          + String.join(", ", cols));
    }
    for (Part p : parts) {
      if (!cols.contains(p.joinKey())) {
        throw new IllegalArgumentException(spineName() + " has no column '" + p.joinKey() + "' to join group '"
            + p.group().name() + "' on (its record identifier is " + p.group().recordIdentifier() + "); add it, "
            + "or map a spine column with --join-key " + p.group().name() + "=COLUMN. Spine columns: "
            + String.join(", ", cols));
      }
      for (String n : p.outputNames()) {
        if (cols.contains(n)) {
          throw new IllegalArgumentException("feature column '" + n + "' of group '" + p.group().name()
              + "' collides with the spine column '" + n + "'; pass --prefix-features to name feature columns "
              + "<group>__<feature>, or rename the spine column");
        }
      }
    }
    label.ifPresent(l -> {
      if (!cols.contains(l)) {
        throw new IllegalArgumentException(spineName() + " has no label column '" + l + "'; its columns: "
            + String.join(", ", cols));
      }
    });
    if (cols.contains(SPINE_TIME)) {
      throw new IllegalArgumentException(spineName() + " has a column named " + SPINE_TIME + ", which Tidemark "
          + "uses while joining; rename it");
    }
  }

  /** The spine time as a UTC timestamp; text is read as ISO-8601 (a missing zone means UTC). */
  private Column spineTime(Dataset<Row> raw) {
    DataType t = raw.schema().apply(spineTimeColumn).dataType();
    Column c = col(Sql.quote(spineTimeColumn));
    if (t.equals(DataTypes.TimestampType)) {
      return c;
    }
    if (t.equals(DataTypes.StringType) || t.equals(DataTypes.DateType) || t instanceof TimestampNTZType) {
      return c.cast(DataTypes.TimestampType);
    }
    throw new IllegalArgumentException("spine time column '" + spineTimeColumn + "' of " + spineName() + " is "
        + t.simpleString() + "; it must be a timestamp, a date or ISO-8601 text like 2024-03-01T10:00:00Z");
  }

  /** Count, time range, content hash and bad values of the spine, in one pass. */
  private record SpineProfile(long rows, Instant minTime, Instant maxTime, String contentHash) {}

  private SpineProfile profile(Dataset<Row> raw, Dataset<Row> spine, List<Part> parts) {
    Column[] rawCols = Arrays.stream(raw.columns()).filter(c -> !c.equals(SourceReader.CORRUPT_RECORD))
        .map(c -> col(Sql.quote(c))).toArray(Column[]::new);
    Column[] salted = Arrays.copyOf(rawCols, rawCols.length + 1);
    salted[rawCols.length] = lit("tidemark");
    List<Column> aggs = new ArrayList<>();
    aggs.add(count(lit(1)));
    aggs.add(sum(xxhash64(rawCols).cast(DataTypes.createDecimalType(38, 0))));
    aggs.add(sum(xxhash64(salted).cast(DataTypes.createDecimalType(38, 0))));
    aggs.add(min(col(SPINE_TIME)));
    aggs.add(max(col(SPINE_TIME)));
    Column rawTime = col(Sql.quote(spineTimeColumn));
    aggs.add(count(when(rawTime.isNotNull().and(col(SPINE_TIME).isNull()), 1)));
    boolean csv = Arrays.asList(raw.columns()).contains(SourceReader.CORRUPT_RECORD);
    aggs.add(csv ? count(col(SourceReader.CORRUPT_RECORD)) : lit(0L));
    for (Part p : parts) {
      Column key = col(Sql.quote(p.joinKey()));
      DataType idType = p.group().recordIdentifierFeature().type() == FeatureType.INTEGRAL
          ? DataTypes.LongType : DataTypes.StringType;
      aggs.add(count(when(key.isNotNull().and(key.cast(idType).isNull()), 1)));
    }
    Row r = spine.agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(Column[]::new)).first();
    long badTimes = r.getLong(5);
    if (badTimes > 0) {
      Row example = spine.where(rawTime.isNotNull().and(col(SPINE_TIME).isNull())).select(rawTime.cast("string"))
          .first();
      throw new IllegalArgumentException(spineName() + ": " + badTimes + " values of the time column '"
          + spineTimeColumn + "' are not times, e.g. '" + example.getString(0) + "'; use ISO-8601 like "
          + "2024-03-01T10:00:00Z (UTC unless a zone is given)");
    }
    if (r.getLong(6) > 0) {
      Row example = raw.where(col(SourceReader.CORRUPT_RECORD).isNotNull()).select(SourceReader.CORRUPT_RECORD)
          .first();
      throw new IllegalArgumentException(spineName() + ": " + r.getLong(6) + " lines do not parse as CSV rows with "
          + "the header's columns, e.g. '" + example.getString(0) + "'");
    }
    for (int i = 0; i < parts.size(); i++) {
      long bad = r.getLong(7 + i);
      if (bad > 0) {
        Part p = parts.get(i);
        throw new IllegalArgumentException(spineName() + ": " + bad + " values of the join key column '"
            + p.joinKey() + "' are not " + p.group().recordIdentifierFeature().type().yamlName() + " ids of group '"
            + p.group().name() + "'; fix them or map another column with --join-key " + p.group().name()
            + "=COLUMN");
      }
    }
    long rows = r.getLong(0);
    String hash = Hashing.sha256Hex("rows=" + rows + ";h1=" + r.get(1) + ";h2=" + r.get(2));
    return new SpineProfile(rows, r.isNullAt(3) ? null : r.getTimestamp(3).toInstant(),
        r.isNullAt(4) ? null : r.getTimestamp(4).toInstant(), hash);
  }

  /** A rebuild must read the same spine; changed definitions are reported, since the manifest pins the rest. */
  private void checkRebuild(TrainingSetManifest m, SpineProfile profile, List<Part> parts, List<String> warnings) {
    if (!m.spine().contentHash().equals(profile.contentHash())) {
      throw new IllegalStateException(spineName() + " changed since the manifest was written (content hash "
          + m.spine().contentHash().substring(0, 12) + ", now " + profile.contentHash().substring(0, 12)
          + "); restore the spine to rebuild that training set, or build a new one");
    }
    for (TrainingSetManifest.Group g : m.groups()) {
      if (g.deltaVersion().isEmpty()) {
        throw new IllegalArgumentException("group '" + g.group() + "' was read from a " + g.storage()
            + " offline table, which has no versions to time travel to; a rebuild needs offline.format: delta");
      }
    }
    String now = definitionsHash(parts);
    if (!now.equals(m.definitionsHash())) {
      warnings.add("the definitions of " + String.join(", ", parts.stream().map(p -> p.group().name()).toList())
          + " changed since the manifest was written; the rebuild uses the manifest's features, TTLs and table "
          + "versions");
    }
  }

  /** Only the columns the join needs, and only partitions that can hold candidates (event_date is UTC). */
  private Dataset<Row> prune(Dataset<Row> history, Part p, SpineProfile profile) {
    List<String> needed = new ArrayList<>(List.of(p.group().recordIdentifier(), p.group().eventTime(),
        MetadataColumns.WRITE_TIME, MetadataColumns.IS_DELETED));
    p.group().valueFeatures().forEach(f -> needed.add(f.name()));
    p.features().stream().filter(f -> !needed.contains(f)).forEach(needed::add);
    Dataset<Row> h = history;
    if (profile.maxTime() != null && p.group().offline().partitionByEventDate()) {
      h = h.where(col(MetadataColumns.EVENT_DATE).leq(lit(java.sql.Date.valueOf(
          profile.maxTime().atZone(java.time.ZoneOffset.UTC).toLocalDate()))));
      if (p.ttl().isPresent()) {
        h = h.where(col(MetadataColumns.EVENT_DATE).geq(lit(java.sql.Date.valueOf(
            profile.minTime().minus(p.ttl().get()).atZone(java.time.ZoneOffset.UTC).toLocalDate()))));
      }
    }
    return h.select(needed.stream().map(c -> col(Sql.quote(c))).toArray(Column[]::new));
  }

  /** CSV writer and reader options of the output: RFC 4180, so Python's csv, pandas and SageMaker read it back. */
  private Map<String, String> csvOptions() {
    Map<String, String> o = new HashMap<>(SourceReader.csvWriteDefaults());
    o.put("header", String.valueOf(format == OutputFormat.CSV));
    // UTC instants to the microsecond (Spark's default pattern stops at milliseconds)
    o.put("timestampFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX");
    if (format == OutputFormat.SAGEMAKER_CSV) {
      o.put("nullValue", "NaN"); // a missing value that every CSV reader of SageMaker's parses as a float
    }
    o.putAll(outputOptions);
    return o;
  }

  /**
   * Writes files sized like the offline ones (REBALANCE at offline.target_file_size: few files, none empty), or
   * exactly one with {@link #singleFile}. A CSV file that came out empty (no rows and no header) is removed, as
   * SageMaker's readers fail on one.
   */
  private void write(Dataset<Row> rows) {
    SaveMode mode = overwrite ? SaveMode.Overwrite : SaveMode.ErrorIfExists;
    Dataset<Row> laidOut = singleFile ? rows.coalesce(1) : rows.hint("rebalance");
    var writer = laidOut.write().format(format.sparkFormat()).mode(mode);
    if (format == OutputFormat.CSV || format == OutputFormat.SAGEMAKER_CSV) {
      writer = writer.options(csvOptions());
    } else if (format == OutputFormat.DELTA && overwrite) {
      writer = writer.option("overwriteSchema", "true");
    }
    var w = writer;
    store.withTargetFileSize(() -> w.save(output));
    if (format == OutputFormat.CSV || format == OutputFormat.SAGEMAKER_CSV) {
      removeEmptyFiles();
    }
  }

  private void removeEmptyFiles() {
    try {
      Path dir = new Path(output);
      FileSystem fs = dir.getFileSystem(spark.sparkContext().hadoopConfiguration());
      for (org.apache.hadoop.fs.FileStatus f : fs.listStatus(dir)) {
        if (f.isFile() && f.getLen() == 0 && f.getPath().getName().startsWith("part-")) {
          fs.delete(f.getPath(), false);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the output " + output, e);
    }
  }

  private Dataset<Row> readOutput(Dataset<Row> rows) {
    var reader = spark.read().format(format.sparkFormat());
    if (format == OutputFormat.CSV || format == OutputFormat.SAGEMAKER_CSV) {
      // multiLine: a quoted value may hold a newline, and must count as one row
      reader = reader.options(csvOptions()).option("multiLine", "true").schema(rows.schema());
    }
    return reader.load(output);
  }

  private void register(String table, Dataset<Row> rows) {
    if (overwrite) {
      spark.sql("DROP TABLE IF EXISTS " + quoteTable(table));
    } else if (spark.catalog().tableExists(table)) {
      throw new IllegalArgumentException("table " + table + " already exists; choose another --register-table or "
          + "pass --overwrite");
    }
    String location = " LOCATION " + Sql.literal(output);
    CatalogEntry.Storage storage;
    if (format == OutputFormat.PARQUET || format == OutputFormat.DELTA) {
      spark.sql("CREATE TABLE " + quoteTable(table) + " USING " + format.sparkFormat() + location);
      storage = format == OutputFormat.DELTA ? CatalogEntry.Storage.DELTA : CatalogEntry.Storage.PARQUET;
    } else {
      List<String> cols = Arrays.stream(rows.schema().fields())
          .map(f -> Sql.quote(f.name()) + " " + f.dataType().sql()).toList();
      List<String> options = new ArrayList<>();
      Map<String, String> csv = new TreeMap<>(csvOptions());
      csv.put("multiLine", "true");
      csv.forEach((k, v) -> options.add(Sql.quote(k) + " " + Sql.literal(v)));
      spark.sql("CREATE TABLE " + quoteTable(table) + " (" + String.join(", ", cols) + ") USING csv OPTIONS ("
          + String.join(", ", options) + ")" + location);
      storage = CatalogEntry.Storage.csv(csvOptions());
    }
    String[] name = table.contains(".") ? table.split("\\.", 2)
        : new String[] {spark.catalog().currentDatabase(), table};
    CatalogEntry.sync(store, name[0], name[1], storage, "training set written by Tidemark to " + output,
        Map.of("tidemark.kind", "training_set", "tidemark.output", output));
  }

  private static String quoteTable(String table) {
    return String.join(".", Arrays.stream(table.split("\\.")).map(Sql::quote).toList());
  }

  private boolean exists(String path) {
    try {
      Path p = new Path(path);
      FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
      return fs.exists(p);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check the output " + path, e);
    }
  }

  private static String definitionsHash(List<Part> parts) {
    Map<String, String> hashes = new TreeMap<>();
    parts.forEach(p -> hashes.put(p.group().name(), p.group().contentHash()));
    return Hashing.sha256Hex(hashes.toString());
  }
}
