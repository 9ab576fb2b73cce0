package io.tidemark.sagemaker;

import io.tidemark.action.BaseAction;
import io.tidemark.definitions.FeatureGroup;
import io.tidemark.ingest.HistoryInput;
import io.tidemark.ingest.IngestResult;
import io.tidemark.util.JobLabel;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.spark.sql.SparkSession;

/**
 * {@code import-sagemaker --history}: reads a group's SageMaker offline store ({@link SageMakerOfflineStore}) and
 * writes its rows into the group's offline table through the history import, so that every row read is accounted
 * for ({@link Result#accounting}). Staged: {@code tidemark.importSageMakerHistory("users", location).execute()}.
 */
public final class SageMakerHistoryImport extends BaseAction<SageMakerHistoryImport, SageMakerHistoryImport.Result> {
  private final FeatureGroup group;
  private final String location;
  private final Function<HistoryInput, IngestResult> importHistory;
  private Optional<SageMakerOfflineStore.Layout> layout = Optional.empty();
  private Consumer<SageMakerOfflineStore.Result> storeRead = r -> { };

  /** @param importHistory writes the rows read into the group's offline table (the facade's importHistory) */
  public SageMakerHistoryImport(SparkSession spark, FeatureGroup group, String location,
      Function<HistoryInput, IngestResult> importHistory) {
    super(spark);
    this.group = group;
    this.location = location;
    this.importHistory = importHistory;
  }

  /** The store's layout (empty, the default: detected from its files). */
  public SageMakerHistoryImport layout(Optional<SageMakerOfflineStore.Layout> value) {
    this.layout = value;
    return this;
  }

  /** Told once the store is read and counted, before its rows are written. */
  public SageMakerHistoryImport onStoreRead(Consumer<SageMakerOfflineStore.Result> listener) {
    this.storeRead = listener;
    return this;
  }

  /** What the store held and what the offline table took of it. */
  public record Result(String group, SageMakerOfflineStore.Result read, IngestResult imported) {
    /**
     * Where every row of the SageMaker store went (duplicates, already stored, written, quarantined); empty when
     * this history was imported before.
     */
    public Optional<String> accounting() {
      if (imported.alreadyIngested()) {
        return Optional.empty();
      }
      return Optional.of("import-sagemaker " + group + ": " + read.rowsRead() + " rows in the SageMaker store = "
          + read.duplicatesDropped() + " exact duplicates + " + imported.rowsAlreadyStored() + " already in "
          + imported.table() + " + " + imported.rowsWritten() + " written + " + imported.rowsQuarantined()
          + " quarantined");
    }
  }

  @Override
  protected String name() {
    return "import-sagemaker";
  }

  @Override
  protected String description() {
    return group.name() + ": read " + location;
  }

  @Override
  protected Result run(JobLabel label) {
    SageMakerOfflineStore.Result read = SageMakerOfflineStore.read(spark, group, location, layout);
    storeRead.accept(read);
    return new Result(group.name(), read, importHistory.apply(read.history()));
  }
}
