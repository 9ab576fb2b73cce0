package io.tidemark.cli;

import io.tidemark.Tidemark;
import io.tidemark.definitions.Durations;
import io.tidemark.definitions.FeatureDefinition;
import io.tidemark.definitions.FeatureGroup;
import io.tidemark.offline.BatchLedger;
import io.tidemark.offline.OfflineTable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "groups", mixinStandardHelpOptions = true, description = "List and describe feature groups.",
    subcommands = {GroupsCommand.ListGroups.class, GroupsCommand.Describe.class})
final class GroupsCommand implements Runnable {
  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(spec.commandLine(), "choose list or describe");
  }

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "List the feature groups of the definitions folder (validates every file; starts no Spark).")
  static final class ListGroups implements Callable<Integer> {
    @Mixin
    CliContext context;

    @Option(names = "--json", description = "Machine-readable output: one JSON object per line.")
    boolean json;

    @Override
    public Integer call() {
      for (FeatureGroup g : context.registry().groups()) {
        if (json) {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("name", g.name());
          m.put("record_identifier", g.recordIdentifier());
          m.put("event_time", g.eventTime());
          m.put("features", g.featureNames());
          m.put("offline_format", g.offline().format().sparkName());
          m.put("online", g.online().enabled());
          m.put("has_source", g.source().isPresent());
          System.out.println(Json.write(m));
        } else {
          System.out.printf("%-24s %2d features  id=%-14s %-7s %-14s %s%n", g.name(), g.features().size(),
              g.recordIdentifier(), g.offline().format().sparkName(), g.online().enabled() ? "online" : "offline-only",
              g.description());
        }
      }
      return 0;
    }
  }

  @Command(name = "describe", mixinStandardHelpOptions = true,
      description = "Show a group's definition, its offline table (rows, version) and its latest batches.")
  static final class Describe extends TidemarkCli.JobCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "The feature group.")
    String name;

    @Option(names = "--no-table", negatable = true, defaultValue = "true",
        description = "Also read the offline table (starts Spark; default: ${DEFAULT-VALUE}).")
    boolean table;

    @Override
    int execute() {
      FeatureGroup g = context.registry().group(name);
      List<String> out = new ArrayList<>();
      out.add("group:        " + g.name() + "  (" + g.file() + ")");
      out.add("description:  " + g.description());
      out.add("owner:        " + g.owner());
      out.add("tags:         " + g.tags());
      out.add("record id:    " + g.recordIdentifier());
      out.add("event time:   " + g.eventTime() + "  formats " + g.eventTimeFormats());
      out.add("ttl:          " + g.ttl().map(Durations::format).orElse("none"));
      out.add("source:       " + g.source().map(s -> s.format().sparkName() + " " + s.path()
          + s.transform().map(t -> "  transform " + t).orElse("")).orElse("none"));
      out.add("offline:      " + g.offline().format().sparkName()
          + (g.offline().partitionByEventDate() ? ", partitioned by event_date" : ""));
      out.add("online:       " + (g.online().enabled() ? "enabled, ttl "
          + g.online().ttl().map(Durations::format).orElse("none") : "disabled"));
      out.add("features:");
      for (FeatureDefinition f : g.features()) {
        out.add(String.format("  %-22s %-10s %-9s %s", f.name(), f.typeName(),
            f.nullable() ? "nullable" : "not null", f.description()));
      }
      out.forEach(System.out::println);
      if (table) {
        Tidemark tidemark = context.tidemark();
        OfflineTable t = tidemark.offlineTable(name);
        if (!t.exists()) {
          System.out.println("offline table: " + t.tableName() + " does not exist yet (run: tidemark ingest "
              + g.name() + ")");
          return 0;
        }
        OfflineTable.Facts facts = t.facts();
        System.out.println("offline table: " + t.tableName() + " at " + t.location() + ", " + facts.rows() + " rows"
            + facts.version().map(v -> ", version " + v).orElse(""));
        System.out.println("last event:   " + facts.lastEventTime().map(Object::toString).orElse("none")
            + "  (last write " + facts.lastWriteTime().map(Object::toString).orElse("none") + ")");
        List<BatchLedger.Entry> batches = tidemark.batches(g.name());
        System.out.println("latest batches:");
        batches.stream().limit(10).forEach(b -> System.out.printf("  %s %-6s read %d, written %d, quarantined %d  %s%n",
            b.writeTime().toInstant(), b.kind(), b.rowsRead(), b.rowsWritten(), b.rowsQuarantined(), b.source()));
      }
      return 0;
    }
  }
}
