package io.tidemark.cli;

import io.tidemark.Tidemark;
import io.tidemark.config.TidemarkConfig;
import io.tidemark.definitions.FeatureRegistry;
import io.tidemark.runtime.CommandSession;
import io.tidemark.runtime.RemoteFiles;
import io.tidemark.util.JobLabel;
import java.nio.file.Path;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Option;

/**
 * Options every subcommand takes, and the lazily built pieces they share. Commands that need no Spark (groups
 * list, config) never start it.
 */
public final class CliContext {
  @Option(names = "--config", paramLabel = "FILE",
      description = "Project config file, local or s3:// (default: $TIDEMARK_CONFIG, else ./tidemark.yaml if "
          + "present, else the embedded defaults).")
  String configFile;

  @Option(names = "--definitions", paramLabel = "DIR",
      description = "Feature definitions folder, local or s3:// (with sql/ beside it) (default: "
          + "$TIDEMARK_DEFINITIONS, else ./feature-definitions).")
  String definitions;

  @Option(names = {"-v", "--verbose"},
      description = "Also print how long each phase of the job took (its Spark jobs and the driver's work between "
          + "them: catalog, Delta commits, side tables), to find what a slow run spends its time on.")
  boolean verbose;

  /** A session supplied by the embedding program (tests, notebooks); never stopped by the CLI. */
  static final ThreadLocal<SparkSession> PROVIDED_SESSION = new ThreadLocal<>();

  private TidemarkConfig config;
  private FeatureRegistry registry;
  private CommandSession session;

  public TidemarkConfig config() {
    if (config == null) {
      Optional<Path> file = Optional.ofNullable(configFile)
          .or(() -> Optional.ofNullable(System.getenv("TIDEMARK_CONFIG")))
          .map(RemoteFiles::local);
      config = TidemarkConfig.load(file, System.getenv());
    }
    return config;
  }

  public Path definitionsDir() {
    return RemoteFiles.localDefinitions(definitionsLocation());
  }

  /** --definitions, else $TIDEMARK_DEFINITIONS, else ./feature-definitions, as given (maybe s3://). */
  String definitionsLocation() {
    return Optional.ofNullable(definitions)
        .or(() -> Optional.ofNullable(System.getenv("TIDEMARK_DEFINITIONS")))
        .orElse("feature-definitions");
  }

  public FeatureRegistry registry() {
    if (registry == null) {
      registry = FeatureRegistry.load(definitionsDir(), config().variables());
    }
    return registry;
  }

  public SparkSession spark() {
    if (verbose) {
      org.apache.logging.log4j.core.config.Configurator.setLevel(JobLabel.PHASES_LOGGER,
          org.apache.logging.log4j.Level.INFO);
    }
    if (session == null) {
      session = PROVIDED_SESSION.get() != null ? CommandSession.provided(PROVIDED_SESSION.get())
          : CommandSession.start(config(), Progress::info);
    }
    return session.spark();
  }

  public Tidemark tidemark() {
    return Tidemark.create(spark(), config(), registry());
  }

  void close() {
    if (session != null) {
      session.close();
    }
  }
}
