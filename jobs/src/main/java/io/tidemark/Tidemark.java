package io.tidemark;

import io.tidemark.config.TidemarkConfig;
import io.tidemark.definitions.FeatureRegistry;
import io.tidemark.definitions.SourceFormat;
import io.tidemark.discovery.Lineage;
import io.tidemark.ingest.DeleteAction;
import io.tidemark.ingest.ImportHistoryAction;
import io.tidemark.ingest.IngestAction;
import io.tidemark.maintenance.OptimizeAction;
import io.tidemark.monitoring.DriftReport;
import io.tidemark.monitoring.DriftResult;
import io.tidemark.maintenance.VacuumAction;
import io.tidemark.offline.BatchLedger;
import io.tidemark.offline.OfflineStore;
import io.tidemark.offline.OfflineTable;
import io.tidemark.online.OnlineStore;
import io.tidemark.online.materialize.MaterializeAction;
import io.tidemark.online.materialize.ReconcileAction;
import io.tidemark.runtime.S3Settings;
import io.tidemark.runtime.SparkSessions;
import io.tidemark.sagemaker.SageMakerHistoryImport;
import io.tidemark.training.TrainingSetAction;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;

/**
 * The entry point to every Tidemark job. Each method returns a small action with a typed builder whose
 * {@code execute()} returns an immutable result; the CLI and the demo call these and nothing else.
 */
public final class Tidemark {
  private final SparkSession spark;
  private final TidemarkConfig config;
  private final FeatureRegistry registry;
  private final OfflineStore offlineStore;
  private OnlineStore onlineStore;

  private Tidemark(SparkSession spark, TidemarkConfig config, FeatureRegistry registry) {
    this.spark = spark;
    this.config = config;
    this.registry = registry;
    this.offlineStore = OfflineStore.of(spark, config);
  }

  /**
   * Also applies the config's {@code s3.*} settings to the session (see {@link S3Settings}) and the timestamp
   * settings that let any instant from year 0001 to 9999 be written ({@code SparkSessions.TIMESTAMP_SETTINGS}).
   */
  public static Tidemark create(SparkSession spark, TidemarkConfig config, FeatureRegistry registry) {
    S3Settings.apply(spark, config);
    SparkSessions.applyTimestampSettings(spark);
    return new Tidemark(spark, config, registry);
  }

  public IngestAction ingest(String group) {
    return new IngestAction(offlineStore, registry.group(group));
  }

  /** Imports another store's history (e.g. a SageMaker offline store) into the group's offline table. */
  public ImportHistoryAction.Stage importHistory(String group) {
    return new ImportHistoryAction.Stage(offlineStore, registry.group(group));
  }

  /** Reads a SageMaker offline store and imports its rows as the group's history (see the action). */
  public SageMakerHistoryImport importSageMakerHistory(String group, String location) {
    return new SageMakerHistoryImport(spark, registry.group(group), location,
        history -> importHistory(group).from(history).execute());
  }

  public DeleteAction.Stage delete(String group) {
    return new DeleteAction.Stage(offlineStore, registry.group(group));
  }

  /**
   * Deletes records offline (tombstones, as {@link #delete}) and, for an online-enabled group, online too: what
   * {@code tidemark delete} does.
   */
  public DeleteRecordsAction deleteRecords(String group, String path, SourceFormat format) {
    return new DeleteRecordsAction(registry.group(group), delete(group).from(path, format),
        version -> materialize(group).tombstonesOf(version).execute());
  }

  /** A point-in-time training set over the offline store (see {@link TrainingSetAction}). */
  public TrainingSetAction trainingSet() {
    return new TrainingSetAction(spark, offlineStore, registry);
  }

  /** Compacts the group's offline files (Delta OPTIMIZE, Z-order by the record identifier; see the action). */
  public OptimizeAction optimize(String group) {
    return new OptimizeAction(spark, offlineStore, registry.group(group));
  }

  /** Deletes offline files no recent version and no recorded training-set manifest needs (see the action). */
  public VacuumAction vacuum(String group) {
    return new VacuumAction(spark, offlineStore, registry.group(group));
  }

  /** Loads the group's latest records into DynamoDB (incremental after the first load; see the action). */
  public MaterializeAction materialize(String group) {
    return new MaterializeAction(spark, offlineStore, onlineStore(), registry.group(group));
  }

  /** Erases records (GDPR) from the offline, quarantine and online tables, and refuses them in later ingests. */
  public io.tidemark.governance.EraseAction erase(String group) {
    return new io.tidemark.governance.EraseAction(spark, offlineStore, registry.group(group), this::onlineStore);
  }

  /** Compares the group's features between two windows: PSI and a two-sample test per feature (see the action). */
  public io.tidemark.monitoring.DriftAction drift(String group) {
    return new io.tidemark.monitoring.DriftAction(offlineStore, registry.group(group));
  }

  /**
   * Writes the drift result's HTML report to {@code location}, local or s3:// (default:
   * {@code <home>/reports/drift-<group>.html}, its folder created); returns where it went.
   */
  public String writeDriftReport(DriftResult result, Optional<String> location) {
    String path = location.orElseGet(() -> config.home().resolve("reports/drift-" + result.group() + ".html")
        .toAbsolutePath().toString());
    if (location.isEmpty()) {
      try {
        Files.createDirectories(Path.of(path).getParent());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create the folder of the report " + path, e);
      }
    }
    DriftReport.write(result, path, spark.sparkContext().hadoopConfiguration());
    return path;
  }

  /** Compares a sample of online records with the offline latest values. */
  public ReconcileAction reconcile(String group) {
    return new ReconcileAction(spark, offlineStore, onlineStore(), registry.group(group));
  }

  /** The group's offline table: its name and location, whether it was written yet, its {@code facts()}. */
  public OfflineTable offlineTable(String group) {
    return offlineStore.forGroup(registry.group(group));
  }

  /** The group's batches as the batch ledger recorded them, newest first. */
  public List<BatchLedger.Entry> batches(String group) {
    return offlineStore.ledger().entries(group);
  }

  /** Where the groups' features went, and what training sets were built from (see {@link Lineage}). */
  public Lineage lineage() {
    return Lineage.of(offlineStore);
  }

  /** The online client of this project; the local DynamoDB server starts on first use (online.endpoint: local). */
  public synchronized OnlineStore onlineStore() {
    if (onlineStore == null) {
      onlineStore = OnlineStore.create(config, registry);
    }
    return onlineStore;
  }

  public SparkSession spark() {
    return spark;
  }

  public TidemarkConfig config() {
    return config;
  }

  public FeatureRegistry registry() {
    return registry;
  }

  public OfflineStore offlineStore() {
    return offlineStore;
  }
}
