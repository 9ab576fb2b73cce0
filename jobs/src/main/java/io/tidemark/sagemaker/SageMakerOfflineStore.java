package io.tidemark.sagemaker;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;

import io.tidemark.definitions.FeatureDefinition;
import io.tidemark.definitions.FeatureGroup;
import io.tidemark.definitions.FeatureType;
import io.tidemark.definitions.SageMakerOrigin;
import io.tidemark.ingest.HistoryInput;
import io.tidemark.offline.MetadataColumns;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.TimestampNTZType;

/**
 * Reads a SageMaker Feature Store offline store (the history of one feature group) in either of SageMaker's table
 * formats, as the first half of importing that history into Tidemark: the rows as SageMaker stored them, named as
 * Tidemark names the features, with SageMaker's metadata, exact duplicates removed. Nothing is validated here: a
 * row Tidemark would refuse is returned as it is, for the write path to quarantine with its reason.
 *
 * <ul>
 *   <li>{@link Layout#GLUE} (SageMaker's default {@code TableFormat}): Parquet files under
 *       {@code .../offline-store/<group>-<epoch>/data/year=YYYY/month=MM/day=DD/hour=HH/}. Every Parquet file below the
 *       data folder is read (SageMaker's hourly folders are not needed, so an unusual layout below {@code data/}
 *       still reads), with their schemas merged (a feature added later reads as null in older files); files whose
 *       names start with {@code _} or {@code .} are not data.</li>
 *   <li>{@link Layout#ICEBERG}: an Apache Iceberg table, {@code data/} and {@code metadata/} under
 *       {@code .../offline-store/<group>-<epoch>/}. It is read through the Iceberg Spark runtime from its newest
 *       metadata file (the highest version number among {@code metadata/*.metadata.json}: {@code 00003-<uuid>} as a
 *       Glue or Hive catalog names them, {@code v3} as a Hadoop catalog does), so no catalog is needed; pass a
 *       {@code .metadata.json} file as the location to read that version (Glue's {@code metadata_location}).</li>
 * </ul>
 *
 * <p>The location may be the group's folder ({@code .../offline-store/<group>-<epoch>}), its {@code data/} folder
 * (SageMaker's {@code ResolvedOutputS3Uri}), or an Iceberg metadata file; local, {@code s3a://} or {@code s3://}
 * (served by S3A once {@link io.tidemark.config.S3Settings#apply} ran on the session, as Tidemark's jobs do).
 *
 * <p>Exact duplicates (SageMaker's offline store is written at least once, so a record can arrive twice) are rows
 * with the same record identifier, event time and {@code api_invocation_time}: one is kept, the one SageMaker
 * wrote first (the earliest {@code write_time}); among rows written at the same time, the one whose
 * {@code is_deleted} and then feature values (in definition order) sort first, so the choice never depends on file
 * order. Two writes of the same record and event time with different {@code api_invocation_time} are both kept.
 * (A null record identifier or event time counts as one value here; the write path quarantines such rows.)
 */
public final class SageMakerOfflineStore {
  /** Where Iceberg keeps a table's metadata, below the table's folder. */
  static final String METADATA_DIR = "metadata";
  /** Where SageMaker writes the data files, below the group's folder (both layouts). */
  static final String DATA_DIR = "data";
  private static final String METADATA_SUFFIX = ".metadata.json";
  /** {@code 00003-<uuid>.metadata.json} (Glue, Hive catalogs), {@code v3.metadata.json} (Hadoop catalog). */
  private static final Pattern METADATA_VERSION =
      Pattern.compile("(?:v(\\d+)|(\\d+)-[^.]+)(?:\\.gz)?\\.metadata\\.json");
  private static final String ICEBERG_SOURCE = "org.apache.iceberg.spark.source.IcebergSource";
  private static final String DUPLICATES = "__tidemark_copies";
  private static final String KEPT = "__tidemark_kept";

  /** SageMaker's two offline-store table formats ({@code OfflineStoreConfig.TableFormat}). */
  public enum Layout {
    GLUE("glue"),
    ICEBERG("iceberg");

    private final String cliName;

    Layout(String cliName) {
      this.cliName = cliName;
    }

    public String cliName() {
      return cliName;
    }

    /** {@code glue}, {@code iceberg}, or {@code auto} (empty: detect from the files). */
    public static Optional<Layout> parse(String name) {
      String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
      if (n.equals("auto")) {
        return Optional.empty();
      }
      for (Layout l : values()) {
        if (l.cliName.equals(n)) {
          return Optional.of(l);
        }
      }
      throw new IllegalArgumentException("unknown SageMaker offline store layout '" + name + "'; use glue "
          + "(TableFormat Glue, SageMaker's default: Parquet under data/year=/month=/day=/hour=), iceberg (TableFormat "
          + "Iceberg: data/ and metadata/) or auto (detect: iceberg when metadata/*.metadata.json exists)");
    }
  }

  /**
   * What was read. Counts are conserved: {@code rowsRead = rowsKept + duplicatesDropped} (the record refuses to
   * exist otherwise).
   *
   * @param location the location as given
   * @param layout the layout read
   * @param detected true when the layout was detected from the files, false when the caller chose it
   * @param source what was read: the Parquet data folder (glue) or the Iceberg metadata file (iceberg)
   * @param rows the group's features (Tidemark names, in definition order, values as SageMaker stored them), then
   *     {@code write_time}, {@code api_invocation_time} (timestamps) and {@code is_deleted} (boolean); one row per
   *     exact duplicate set. Evaluated again by each action on it.
   * @param ignoredColumns columns of the files that are no feature of the group (e.g. a collection feature left
   *     out by {@code import-sagemaker --skip-unsupported}), not read
   * @param absentCollections collection features (SageMaker names) the files have no column for: SageMaker keeps
   *     collections on its online tier only; read as null
   * @param files what pins the content read: the Parquet files (glue), or the metadata file of the snapshot read
   *     (iceberg: it names every data file)
   */
  public record Result(String group, String location, Layout layout, boolean detected, String source,
      Dataset<Row> rows, long rowsRead, long rowsKept, long duplicatesDropped, List<String> ignoredColumns,
      List<String> absentCollections, List<String> files) {
    public Result {
      ignoredColumns = List.copyOf(ignoredColumns);
      absentCollections = List.copyOf(absentCollections);
      files = List.copyOf(files);
      if (rowsRead != rowsKept + duplicatesDropped) {
        throw new IllegalStateException("count mismatch reading the SageMaker offline store of " + group + ": read "
            + rowsRead + " != kept " + rowsKept + " + duplicates dropped " + duplicatesDropped);
      }
    }

    /** One line for logs, e.g. {@code read SageMaker offline store of users (iceberg, detected) ...: read 10, ...}. */
    public String summary() {
      String s = "read SageMaker offline store of " + group + " (" + layout.cliName() + ", "
          + (detected ? "detected" : "as asked") + ") " + source + ": read " + rowsRead + ", exact duplicates dropped "
          + duplicatesDropped + ", kept " + rowsKept;
      if (!ignoredColumns.isEmpty()) {
        s += "; columns not in the definition, not read: " + String.join(", ", ignoredColumns);
      }
      if (!absentCollections.isEmpty()) {
        s += "; collection features not in the offline store (SageMaker keeps them online only), read as null: "
            + String.join(", ", absentCollections);
      }
      return s;
    }

    /** The rows kept, as history for {@code tidemark.importHistory(group).from(...)}. */
    public HistoryInput history() {
      return new HistoryInput("SageMaker offline store " + location + " (" + layout.cliName() + ")", rows, files);
    }
  }

  private SageMakerOfflineStore() {}

  /** Reads the offline store at {@code location}, detecting its layout. */
  public static Result read(SparkSession spark, FeatureGroup group, String location) {
    return read(spark, group, location, Optional.empty());
  }

  /**
   * Reads the offline store at {@code location} in the given layout (empty: detect it). Counts the rows now (one
   * pass over the files); the returned rows are read again by whoever uses them.
   *
   * @throws IllegalArgumentException when the location does not exist, holds no data, is not of the layout asked
   *     for, or its files lack a feature of the group or a metadata column, or store one with a type SageMaker
   *     would not have written for it
   */
  public static Result read(SparkSession spark, FeatureGroup group, String location, Optional<Layout> layout) {
    Located found = locate(spark, location, layout);
    Dataset<Row> raw = switch (found.layout) {
      case GLUE -> readGlue(spark, found.source);
      case ICEBERG -> readIceberg(spark, found.source);
    };
    Mapping mapping = mapping(group, raw.schema(), location, found);
    Dataset<Row> named = raw.select(mapping.columns.toArray(Column[]::new));
    Dataset<Row> grouped = deduplicate(named, group);
    Row counts = grouped.agg(sum(col(DUPLICATES)), count(lit(1))).first();
    long read = counts.isNullAt(0) ? 0 : counts.getLong(0);
    long kept = counts.getLong(1);
    if (read == 0) {
      throw new IllegalArgumentException("SageMaker offline store location '" + location + "' has no data: "
          + found.source + " holds no rows");
    }
    Dataset<Row> rows = grouped.select(outputColumns(group).stream().map(c -> col(KEPT + "." + c).as(c))
        .toArray(Column[]::new));
    List<String> files = found.layout == Layout.GLUE ? List.of(raw.inputFiles()) : List.of(found.source.toString());
    return new Result(group.name(), location, found.layout, layout.isEmpty(), found.source.toString(), rows, read,
        kept, read - kept, mapping.ignored, mapping.absentCollections, files);
  }

  /** The result's columns: the features (Tidemark names, definition order) and SageMaker's metadata. */
  static List<String> outputColumns(FeatureGroup group) {
    List<String> out = new ArrayList<>(group.featureNames());
    out.addAll(List.of(MetadataColumns.WRITE_TIME, MetadataColumns.API_INVOCATION_TIME, MetadataColumns.IS_DELETED));
    return out;
  }

  private record Located(Layout layout, Path source) {}

  /** Where the data is and in which layout; every refusal names the location and what was expected there. */
  private static Located locate(SparkSession spark, String location, Optional<Layout> asked) {
    Path path = new Path(location);
    FileSystem fs = fileSystem(spark, path, location);
    FileStatus status = status(fs, path, location).orElseThrow(() -> new IllegalArgumentException(
        "SageMaker offline store location '" + location + "' does not exist; give the feature group's folder "
            + "(.../offline-store/<group>-<epoch>), its data/ folder (ResolvedOutputS3Uri of DescribeFeatureGroup) or "
            + "an Iceberg metadata file (.../metadata/<version>.metadata.json)"));
    if (status.isFile()) {
      if (!path.getName().endsWith(METADATA_SUFFIX)) {
        throw new IllegalArgumentException("SageMaker offline store location '" + location + "' is a file, not an "
            + "Iceberg metadata file (*.metadata.json); give the feature group's folder instead");
      }
      if (asked.equals(Optional.of(Layout.GLUE))) {
        throw new IllegalArgumentException("SageMaker offline store location '" + location + "' is an Iceberg "
            + "metadata file; read it with layout iceberg");
      }
      return new Located(Layout.ICEBERG, path);
    }
    Path table = path.getName().equals(DATA_DIR) && path.getParent() != null ? path.getParent() : path;
    Optional<Path> metadata = newestMetadata(fs, new Path(table, METADATA_DIR), location);
    Layout layout = asked.orElse(metadata.isPresent() ? Layout.ICEBERG : Layout.GLUE);
    if (layout == Layout.ICEBERG) {
      if (metadata.isEmpty()) {
        throw new IllegalArgumentException("SageMaker offline store location '" + location + "' is not an Iceberg "
            + "table: no " + new Path(table, METADATA_DIR) + "/*.metadata.json" + (hasDataFiles(fs, path, location)
            ? " (it has Parquet files: read it with layout glue)" : ""));
      }
      return new Located(layout, metadata.get());
    }
    if (metadata.isPresent()) {
      throw new IllegalArgumentException("SageMaker offline store location '" + location + "' holds an Iceberg table "
          + "(" + metadata.get() + "); read it with layout iceberg: its data/ folder also holds files Iceberg has "
          + "replaced (compaction) or deleted, which a glue read would count again");
    }
    Path data = new Path(path, DATA_DIR);
    Path source = status(fs, data, location).filter(FileStatus::isDirectory).isPresent() ? data : path;
    if (!hasDataFiles(fs, source, location)) {
      throw new IllegalArgumentException("SageMaker offline store location '" + location + "' has no data: no "
          + "Parquet files under " + source + " (SageMaker writes them under data/year=YYYY/month=MM/day=DD/hour=HH/ "
          + "within 15 minutes of PutRecord)");
    }
    return new Located(layout, source);
  }

  private static Dataset<Row> readGlue(SparkSession spark, Path data) {
    try {
      return spark.read().option("recursiveFileLookup", "true").option("mergeSchema", "true")
          .parquet(data.toString());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("cannot read the Parquet files under " + data + ": "
          + firstLine(e.getMessage()), e);
    }
  }

  private static Dataset<Row> readIceberg(SparkSession spark, Path metadataFile) {
    try {
      ClassLoader loader = Thread.currentThread().getContextClassLoader();
      Class.forName(ICEBERG_SOURCE, false, loader != null ? loader : SageMakerOfflineStore.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException("reading an Iceberg offline store needs the Iceberg Spark runtime "
          + "(org.apache.iceberg:iceberg-spark-runtime-<spark>_<scala>) on the class path: on EMR enable Iceberg (the "
          + "iceberg-defaults classification with iceberg.enabled=true); ./tidemark and the tests have it", e);
    }
    try {
      return spark.read().format("iceberg").load(metadataFile.toString());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("cannot read the Iceberg table of " + metadataFile + ": "
          + firstLine(e.getMessage()), e);
    }
  }

  private record Mapping(List<Column> columns, List<String> ignored, List<String> absentCollections) {}

  /**
   * Selects each feature by its SageMaker name as its Tidemark name and the metadata columns, after checking that
   * each is there with a type SageMaker writes for that feature; lists every problem at once.
   */
  private static Mapping mapping(FeatureGroup group, StructType schema, String location, Located found) {
    Map<String, StructField> byName = new LinkedHashMap<>();
    for (StructField f : schema.fields()) {
      byName.put(f.name(), f);
    }
    Optional<SageMakerOrigin> origin = group.sagemaker();
    List<String> problems = new ArrayList<>();
    List<Column> columns = new ArrayList<>();
    List<String> used = new ArrayList<>();
    List<String> absent = new ArrayList<>();
    for (FeatureDefinition f : group.features()) {
      String stored = origin.map(o -> o.featureName(f.name())).orElse(f.name());
      String what = "feature '" + f.name() + "'" + (stored.equals(f.name()) ? "" : " (SageMaker '" + stored + "')");
      List<DataType> accepted = storedTypes(f, group);
      if (f.collection().isPresent() && !byName.containsKey(stored)) {
        // SageMaker keeps collections on its online tier only: its offline store has no column for them
        columns.add(lit(null).cast(f.sparkType()).as(f.name()));
        absent.add(stored);
        continue;
      }
      columns.add(column(byName.get(stored), what, accepted, problems).as(f.name()));
      used.add(stored);
    }
    for (String m : List.of(MetadataColumns.WRITE_TIME, MetadataColumns.API_INVOCATION_TIME)) {
      StructField field = byName.get(m);
      Column c = column(field, "metadata column '" + m + "'",
          List.of(DataTypes.TimestampType, DataTypes.TimestampNTZType), problems);
      columns.add((field != null && field.dataType() instanceof TimestampNTZType ? utc(c) : c).as(m));
      used.add(m);
    }
    columns.add(column(byName.get(MetadataColumns.IS_DELETED), "metadata column '" + MetadataColumns.IS_DELETED + "'",
        List.of(DataTypes.BooleanType), problems).as(MetadataColumns.IS_DELETED));
    used.add(MetadataColumns.IS_DELETED);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("SageMaker offline store '" + location + "' (" + found.layout.cliName() + ", "
          + found.source + ") does not hold group " + group.name() + " as defined"
          + Optional.ofNullable(group.file()).map(f -> " in " + f).orElse("") + " ("
          + problems.size() + " problem" + (problems.size() == 1 ? "" : "s") + "):\n"
          + problems.stream().map(p -> "  " + p).collect(Collectors.joining("\n"))
          + "\n  columns in the files: " + Arrays.stream(schema.fields())
              .map(f -> f.name() + " " + f.dataType().simpleString()).collect(Collectors.joining(", ")));
    }
    List<String> ignored = byName.keySet().stream().filter(n -> !used.contains(n)).toList();
    return new Mapping(columns, ignored, absent);
  }

  /**
   * The column, widened to the first accepted type when it is stored as a narrower number; null (and a problem)
   * when it is missing or of another type.
   */
  private static Column column(StructField field, String what, List<DataType> accepted, List<String> problems) {
    if (field == null) {
      problems.add(what + ": no such column");
      return lit(null);
    }
    Column c = col("`" + field.name().replace("`", "``") + "`");
    DataType t = field.dataType();
    if (accepted.contains(t)) {
      return c;
    }
    DataType wide = accepted.get(0);
    boolean widens = (wide.equals(DataTypes.LongType) && (t.equals(DataTypes.IntegerType)
        || t.equals(DataTypes.ShortType) || t.equals(DataTypes.ByteType)))
        || (wide.equals(DataTypes.DoubleType) && t.equals(DataTypes.FloatType));
    if (widens) {
      return c.cast(wide);
    }
    problems.add(what + ": stored as " + t.simpleString() + ", expected " + accepted.stream()
        .map(DataType::simpleString).collect(Collectors.joining(" or ")));
    return lit(null);
  }

  /**
   * The types SageMaker stores a feature of this Tidemark type as: its own for String, Integral and Fractional; the
   * event time as SageMaker's String (ISO-8601) or Fractional (epoch seconds); Tidemark's Boolean as Integral (0/1,
   * how export-sagemaker declares it) or boolean, another Timestamp as String.
   */
  private static List<DataType> storedTypes(FeatureDefinition f, FeatureGroup group) {
    if (f.name().equals(group.eventTime())) {
      return List.of(DataTypes.DoubleType, DataTypes.StringType);
    }
    if (f.isCollection()) {
      // an array of the element type, or its JSON text; ingest validates either
      return List.of(f.sparkType(), DataTypes.StringType);
    }
    FeatureType type = f.type();
    return switch (type) {
      case STRING -> List.of(DataTypes.StringType);
      case INTEGRAL -> List.of(DataTypes.LongType);
      case FRACTIONAL -> List.of(DataTypes.DoubleType);
      case BOOLEAN -> List.of(DataTypes.LongType, DataTypes.BooleanType);
      case TIMESTAMP -> List.of(DataTypes.StringType);
    };
  }

  /** A timestamp without zone (Iceberg's {@code timestamp}) as the UTC instant it writes, whatever the session zone. */
  private static Column utc(Column ntz) {
    return concat(ntz.cast(DataTypes.StringType), lit("Z")).cast(DataTypes.TimestampType);
  }

  /**
   * One row per (record id, event time, api_invocation_time) with the number of rows it stands for: the minimum of
   * (write_time, is_deleted, the other features), i.e. the earliest write, ties broken by the values.
   */
  private static Dataset<Row> deduplicate(Dataset<Row> named, FeatureGroup group) {
    List<String> keys = List.of(group.recordIdentifier(), group.eventTime(), MetadataColumns.API_INVOCATION_TIME);
    List<String> order = new ArrayList<>(List.of(MetadataColumns.WRITE_TIME, MetadataColumns.IS_DELETED));
    group.valueFeatures().forEach(f -> order.add(f.name()));
    List<Column> kept = new ArrayList<>();
    order.forEach(c -> kept.add(col(c)));
    keys.forEach(c -> kept.add(col(c)));
    return named.groupBy(keys.stream().map(c -> col(c)).toArray(Column[]::new))
        .agg(min(struct(kept.toArray(Column[]::new))).as(KEPT), count(lit(1)).as(DUPLICATES));
  }

  /** The newest {@code *.metadata.json} in {@code metadataDir} (highest version number), if the folder has one. */
  static Optional<Path> newestMetadata(FileSystem fs, Path metadataDir, String location) {
    FileStatus[] files;
    try {
      if (!fs.exists(metadataDir)) {
        return Optional.empty();
      }
      files = fs.listStatus(metadataDir, p -> p.getName().endsWith(METADATA_SUFFIX));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + metadataDir + " (SageMaker offline store '" + location + "')", e);
    }
    Path newest = null;
    long newestVersion = -1;
    for (FileStatus f : files) {
      Matcher m = METADATA_VERSION.matcher(f.getPath().getName());
      long v = m.matches() ? Long.parseLong(m.group(1) != null ? m.group(1) : m.group(2)) : -1;
      // an unnumbered name only when nothing is numbered; equal versions by name, so the choice is stable
      if (newest == null || v > newestVersion
          || (v == newestVersion && f.getPath().getName().compareTo(newest.getName()) > 0)) {
        newest = new Path(metadataDir, f.getPath().getName());
        newestVersion = v;
      }
    }
    return Optional.ofNullable(newest);
  }

  /** True when a data (not hidden: no leading {@code _} or {@code .}) file lies anywhere below {@code dir}. */
  private static boolean hasDataFiles(FileSystem fs, Path dir, String location) {
    try {
      RemoteIterator<LocatedFileStatus> it = fs.listFiles(dir, true);
      while (it.hasNext()) {
        Path p = it.next().getPath();
        if (!hidden(p, dir)) {
          return true;
        }
      }
      return false;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir + " (SageMaker offline store '" + location + "')", e);
    }
  }

  /** Spark skips files and folders whose names start with _ or . (but reads partition folders like a=_b). */
  private static boolean hidden(Path p, Path root) {
    Path q = p;
    for (int below = p.depth() - root.depth(); below > 0 && q != null; below--, q = q.getParent()) {
      String n = q.getName();
      if ((n.startsWith("_") && !n.contains("=")) || n.startsWith(".")) {
        return true;
      }
    }
    return false;
  }

  private static FileSystem fileSystem(SparkSession spark, Path path, String location) {
    try {
      return path.getFileSystem(spark.sparkContext().hadoopConfiguration());
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot open SageMaker offline store location '" + location + "': "
          + e.getMessage(), e);
    }
  }

  private static Optional<FileStatus> status(FileSystem fs, Path path, String location) {
    try {
      return Optional.of(fs.getFileStatus(path));
    } catch (java.io.FileNotFoundException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path + " (SageMaker offline store '" + location + "')", e);
    }
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
