package io.tidemark.cli;

import io.tidemark.BadRequestException;
import io.tidemark.config.ConfigException;
import io.tidemark.definitions.DefinitionException;
import io.tidemark.runtime.HomeLock;
import io.tidemark.sagemaker.SageMakerException;
import io.tidemark.transform.TransformException;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine;

/**
 * {@code tidemark}: the command line over the library. Locally through {@code ./tidemark}; on EMR as
 * {@code spark-submit --class io.tidemark.cli.TidemarkCli tidemark-jobs.jar <subcommand> ...}.
 */
@Command(name = "tidemark", mixinStandardHelpOptions = true, version = "tidemark 0.1.0",
    description = "Tidemark feature store: define feature groups as files, ingest them into an offline store, "
        + "build point-in-time training sets and serve the latest values online.",
    subcommands = {IngestCommand.class, DeleteCommand.class, TrainingSetCommand.class, MaterializeCommand.class,
        GetCommand.class, ReconcileCommand.class, OptimizeCommand.class, VacuumCommand.class, GroupsCommand.class,
        FeaturesCommand.class, LineageCommand.class, EraseCommand.class, DriftCommand.class,
        ImportSageMakerCommand.class, ExportSageMakerCommand.class, DemoCommand.class, ConfigCommand.class, CommandsCommand.class, CommandLine.HelpCommand.class},
    footer = {"", "Exit codes: 0 success, 1 the job failed (drift: a feature drifted), 2 bad command line, 3 invalid "
        + "definitions or config."})
public final class TidemarkCli implements Runnable {
  public static final int EXIT_FAILED = 1;
  public static final int EXIT_USAGE = 2;
  public static final int EXIT_INVALID = 3;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "choose a subcommand");
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the CLI and returns its exit code (tests call this). */
  public static int run(String... args) {
    CommandLine cli = commandLine();
    return cli.execute(args);
  }

  /** Runs the CLI on a session the caller owns (tests, notebooks): it is used, not stopped. */
  public static int runWith(org.apache.spark.sql.SparkSession spark, String... args) {
    CliContext.PROVIDED_SESSION.set(spark);
    try {
      return run(args);
    } finally {
      CliContext.PROVIDED_SESSION.remove();
    }
  }

  static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new TidemarkCli()).setCaseInsensitiveEnumValuesAllowed(true);
    cli.setParameterExceptionHandler(TidemarkCli::badCommandLine);
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      PrintWriter err = commandLine.getErr();
      if (e instanceof DefinitionException || e instanceof TransformException || e instanceof ConfigException
          || e instanceof SageMakerException) {
        err.println("tidemark: " + e.getMessage());
        return EXIT_INVALID;
      }
      if (e instanceof BadRequestException) {
        err.println("tidemark: error: " + e.getMessage());
        return EXIT_USAGE;
      }
      if (e instanceof HomeLock.HomeInUseException) {
        err.println("tidemark: " + e.getMessage());
        return EXIT_FAILED;
      }
      if (e instanceof IllegalArgumentException || e instanceof IllegalStateException
          || e instanceof UnsupportedOperationException) {
        err.println("tidemark: error: " + e.getMessage());
        return EXIT_FAILED;
      }
      err.println("tidemark: failed: " + e);
      e.printStackTrace(err);
      return EXIT_FAILED;
    });
    return cli;
  }

  /**
   * A command line picocli refused (exit 2): picocli's message, its suggestions, and where the help is; an unknown
   * word where a subcommand belongs names the subcommands rather than "Unmatched argument".
   */
  static int badCommandLine(CommandLine.ParameterException ex, String[] args) {
    CommandLine cmd = ex.getCommandLine();
    PrintWriter err = cmd.getErr();
    String qualified = cmd.getCommandSpec().qualifiedName();
    if (ex instanceof CommandLine.UnmatchedArgumentException u && !cmd.getSubcommands().isEmpty()
        && !u.getUnmatched().isEmpty() && !u.getUnmatched().get(0).startsWith("-")) {
      List<String> names = cmd.getSubcommands().entrySet().stream()
          .filter(e -> e.getKey().equals(e.getValue().getCommandName()))
          .filter(e -> !e.getValue().getCommandSpec().usageMessage().hidden())
          .map(java.util.Map.Entry::getKey).toList();
      err.println("Unknown command: '" + u.getUnmatched().get(0) + "'; the commands of " + qualified + " are: "
          + String.join(", ", names));
    } else {
      err.println(ex.getMessage());
    }
    CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
    err.println("Try '" + qualified + " --help' for more information.");
    return cmd.getCommandSpec().exitCodeOnInvalidInput();
  }

  /** Base of subcommands that run jobs: shares the context and stops Spark at the end. */
  abstract static class JobCommand implements java.util.concurrent.Callable<Integer> {
    @Mixin
    CliContext context;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** A bad combination of options, found after parsing: exit 2, like any other bad command line. */
    CommandLine.ParameterException usage(String message) {
      return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    @Override
    public final Integer call() throws Exception {
      try {
        return execute();
      } finally {
        context.close();
      }
    }

    abstract int execute() throws Exception;
  }
}
