package io.tidemark.cli;

import io.tidemark.DeleteRecordsAction;
import io.tidemark.definitions.SourceFormat;
import java.util.LinkedHashMap;
import java.util.Map;
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
  SourceFormat format;

  @Option(names = "--source-option", paramLabel = "KEY=VALUE",
      description = "A Spark reader option over those (csv defaults: header=true, multiLine=true, quote=\", "
          + "escape=\"). Repeatable.")
  Map<String, String> sourceOptions = new LinkedHashMap<>();

  @Override
  int execute() {
    context.registry().group(group);
    Progress.info("delete " + group + " ...");
    DeleteRecordsAction.Result result = context.tidemark().deleteRecords(group, source, format)
        .sourceOptions(sourceOptions).onOfflineCommitted(offline -> System.out.println(offline.summary())).execute();
    result.online().ifPresent(online -> System.out.println(online.summary()));
    return 0;
  }
}
