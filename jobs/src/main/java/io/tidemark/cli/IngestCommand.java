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

  @picocli.CommandLine.ArgGroup(exclusive = false)
  SourceOverride source;

  /** {@code --source} with its optional {@code --format} and reader options. */
  static final class SourceOverride {
    @Option(names = "--source", paramLabel = "PATH", required = true,
        description = "Read this file, folder or s3:// URI instead of the definition's source path.")
    String path;

    @Option(names = "--format", paramLabel = "FMT", converter = SourceFormats.class,
        description = "Format of --source: csv, json, parquet or delta (default: the definition's).")
    SourceFormat format;
  }

  @Option(names = "--source-option", paramLabel = "KEY=VALUE",
      description = "A Spark reader option for this run, over the definition's source.options and Tidemark's "
          + "defaults (csv: header=true, multiLine=true, quote=\", escape=\"; json: primitivesAsString=true). "
          + "Repeatable.")
  java.util.Map<String, String> sourceOptions = new java.util.LinkedHashMap<>();

  @Option(names = "--force", description = "Ingest even if this exact input was committed before.")
  boolean force;

  @picocli.CommandLine.ArgGroup(exclusive = false)
  Range range;

  /** A backfill range: --start and --end go together. */
  static final class Range {
    @Option(names = "--start", paramLabel = "INSTANT", converter = Instants.class, required = true,
        description = "Backfill: (re)compute only event times >= this UTC instant (e.g. 2024-03-01T00:00:00Z or "
            + "2024-03-01), replacing that range of the offline table. Needs --end and a Delta offline table.")
    java.time.Instant start;

    @Option(names = "--end", paramLabel = "INSTANT", converter = Instants.class, required = true,
        description = "Backfill: event times < this UTC instant.")
    java.time.Instant end;
  }

  @Option(names = "--emit", paramLabel = "MODE",
      description = "Window groups: changes (a row whenever a window value changes; exact as-of) or daily (a row per "
          + "key at each UTC midnight after a day with changes). Default: the definition's emit.")
  io.tidemark.definitions.WindowDefinition.Emit emit;

  @Override
  int execute() {
    if (source != null && groups.size() > 1) {
      throw usage("--source applies to one group; got " + groups);
    }
    for (String name : groups) {
      context.registry().group(name);
    }
    for (String name : groups) {
      IngestAction action = context.tidemark().ingest(name).force(force);
      if (range != null) {
        action.range(range.start, range.end);
      }
      if (emit != null) {
        action.emit(emit);
      }
      if (source != null) {
        SourceFormat fmt = source.format != null ? source.format
            : context.registry().group(name).source().map(s -> s.format()).orElseThrow(() ->
                usage("group '" + name + "' has no source; pass --format too"));
        action.source(source.path, fmt);
      }
      if (!sourceOptions.isEmpty()) {
        action.sourceOptions(sourceOptions);
      }
      Progress.info("ingest " + name + " ...");
      IngestResult result = action.execute();
      System.out.println(result.summary());
    }
    return 0;
  }
}
