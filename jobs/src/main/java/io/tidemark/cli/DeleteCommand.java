package io.tidemark.cli;

import io.tidemark.definitions.FeatureGroup;
import io.tidemark.ingest.IngestResult;
import io.tidemark.online.materialize.MaterializeResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "delete", mixinStandardHelpOptions = true,
    description = {"Delete records like SageMaker's DeleteRecord: append tombstones (is_deleted = true) read from a "
        + "file whose columns are the group's record identifier and event time.",
        "A tombstone hides the record from point-in-time reads at and after its event time.",
        "For an online-enabled, materialized group the record is also deleted online, unless the online item is "
            + "newer than the tombstone."})
final class DeleteCommand extends TidemarkCli.JobCommand {
  @Parameters(index = "0", paramLabel = "GROUP", description = "The feature group.")
  String group;

  @Option(names = "--source", required = true, paramLabel = "PATH", description = "File of records to delete.")
  String source;

  @Option(names = "--format", paramLabel = "FMT", defaultValue = "csv", converter = SourceFormats.class,
      description = "Format of --source (default: ${DEFAULT-VALUE}); read with the reader options of the group's "
          + "source of the same format.")
  io.tidemark.definitions.SourceFormat format;

  @Option(names = "--source-option", paramLabel = "KEY=VALUE",
      description = "A Spark reader option over those (csv defaults: header=true, multiLine=true, quote=\", "
          + "escape=\"). Repeatable.")
  java.util.Map<String, String> sourceOptions = new java.util.LinkedHashMap<>();

  @Override
  int execute() {
    context.registry().group(group);
    Progress.info("delete " + group + " ...");
    IngestResult result = context.tidemark().delete(group).from(source, format).sourceOptions(sourceOptions)
        .execute();
    System.out.println(result.summary());
    FeatureGroup g = context.registry().group(group);
    if (g.online().enabled() && result.rowsWritten() > 0 && !result.alreadyIngested()
        && result.tableVersion().isPresent()) {
      MaterializeResult online;
      try {
        online = context.tidemark().materialize(group).tombstonesOf(result.tableVersion().get()).execute();
      } catch (IllegalStateException e) {
        // the offline tombstones are committed: the online side follows with the next materialize
        throw new IllegalStateException(e.getMessage() + ". The tombstones are committed offline (v"
            + result.tableVersion().get() + "); the next `tidemark materialize " + group + "` applies them "
            + "online", e);
      }
      System.out.println(online.summary());
    }
    return 0;
  }
}
