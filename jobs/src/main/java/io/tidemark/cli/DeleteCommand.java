package io.tidemark.cli;

import io.tidemark.ingest.IngestResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "delete", mixinStandardHelpOptions = true,
    description = {"Delete records like SageMaker's DeleteRecord: append tombstones (is_deleted = true) read from a "
        + "file whose columns are the group's record identifier and event time.",
        "A tombstone hides the record from point-in-time reads at and after its event time."})
final class DeleteCommand extends TidemarkCli.JobCommand {
  @Parameters(index = "0", paramLabel = "GROUP", description = "The feature group.")
  String group;

  @Option(names = "--source", required = true, paramLabel = "PATH", description = "File of records to delete.")
  String source;

  @Option(names = "--format", paramLabel = "FMT", defaultValue = "csv",
      description = "Format of --source (default: ${DEFAULT-VALUE}).")
  String format;

  @Override
  int execute() {
    context.registry().group(group);
    Progress.info("delete " + group + " ...");
    IngestResult result = context.tidemark().delete(group).from(source, SourceFormats.parse(format)).execute();
    System.out.println(result.summary());
    return 0;
  }
}
