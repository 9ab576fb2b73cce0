package io.tidemark.cli;

import io.tidemark.definitions.SourceFormat;
import io.tidemark.ingest.IngestAction;
import io.tidemark.ingest.IngestResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "ingest", mixinStandardHelpOptions = true,
    description = {"Read a group's source, apply its transform, validate every row and append the valid rows to the "
        + "group's offline table; invalid rows go to <group>__quarantine with their reasons.",
        "Re-running the same input writes nothing (use --force to append it again)."})
final class IngestCommand extends TidemarkCli.JobCommand {
  @Parameters(arity = "1..*", paramLabel = "GROUP", description = "Feature groups to ingest.")
  java.util.List<String> groups;

  @Option(names = "--source", paramLabel = "PATH",
      description = "Read this file, folder or s3:// URI instead of the definition's source path.")
  String source;

  @Option(names = "--format", paramLabel = "FMT",
      description = "Format of --source: csv, json, parquet or delta (default: the definition's).")
  String format;

  @Option(names = "--force", description = "Ingest even if this exact input was committed before.")
  boolean force;

  @Override
  int execute() {
    if (format != null && source == null) {
      throw new IllegalArgumentException("--format goes with --source");
    }
    if (source != null && groups.size() > 1) {
      throw new IllegalArgumentException("--source applies to one group; got " + groups);
    }
    for (String name : groups) {
      context.registry().group(name);
    }
    for (String name : groups) {
      IngestAction action = context.tidemark().ingest(name).force(force);
      if (source != null) {
        SourceFormat fmt = format != null ? SourceFormats.parse(format)
            : context.registry().group(name).source().map(s -> s.format()).orElseThrow(() ->
                new IllegalArgumentException("group '" + name + "' has no source; pass --format too"));
        action.source(source, fmt);
      }
      Progress.info("ingest " + name + " ...");
      IngestResult result = action.execute();
      System.out.println(result.summary());
    }
    return 0;
  }
}
