package io.tidemark.cli;

import io.tidemark.definitions.Durations;
import io.tidemark.definitions.FeatureGroup;
import io.tidemark.definitions.FeatureType;
import io.tidemark.discovery.FeatureSearch;
import io.tidemark.offline.OfflineTable;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "features", mixinStandardHelpOptions = true, description = "Find features across the groups.",
    subcommands = {FeaturesCommand.Search.class})
final class FeaturesCommand implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "choose search");
  }

  @Command(name = "search", mixinStandardHelpOptions = true,
      description = {"Search the feature definitions: every word of TEXT must match a feature's name or "
          + "description, or its group's name, description, tags or owner; hits are ranked (a word in a feature's "
          + "name counts most). Starts no Spark unless --table.",
          "Examples:", "  tidemark features search order value", "  tidemark features search --tag domain=customers "
          + "--type Integral", "  tidemark features search rating --table --json"})
  static final class Search extends TidemarkCli.JobCommand {
    @Parameters(arity = "0..*", paramLabel = "TEXT", description = "Words to look for (none: every feature the "
        + "filters keep).")
    List<String> text = List.of();

    @Option(names = "--tag", paramLabel = "KEY=VALUE", description = "Only groups with this tag. Repeatable.")
    Map<String, String> tags = new LinkedHashMap<>();

    @Option(names = "--owner", paramLabel = "OWNER", description = "Only groups whose owner contains OWNER.")
    String owner;

    @Option(names = "--type", paramLabel = "TYPE", converter = TypeConverter.class,
        description = "Only features of this type: String, Integral, Fractional, Boolean or Timestamp.")
    FeatureType type;

    @Option(names = "--group", paramLabel = "GROUP", description = "Only the features of this group.")
    String group;

    @Option(names = "--table", description = "Also read each hit's offline table: rows, last event time, last "
        + "write time and Delta version (starts Spark; one aggregation per group).")
    boolean table;

    @Option(names = "--json", description = "One JSON object per hit and line.")
    boolean json;

    @Override
    int execute() {
      FeatureSearch search = FeatureSearch.in(context.registry()).text(String.join(" ", text));
      tags.forEach(search::tag);
      Optional.ofNullable(owner).ifPresent(search::owner);
      Optional.ofNullable(type).ifPresent(search::type);
      Optional.ofNullable(group).ifPresent(search::group);
      List<FeatureSearch.Hit> hits = search.run();
      Map<String, Optional<OfflineTable.Facts>> facts = new HashMap<>();
      if (table) {
        hits.forEach(h -> facts.computeIfAbsent(h.group().name(), n -> tableFacts(h.group())));
      }
      if (!json) {
        System.out.println(hits.size() + (hits.size() == 1 ? " feature" : " features")
            + (text.isEmpty() ? "" : " match \"" + String.join(" ", text) + "\""));
      }
      int width = hits.stream().mapToInt(h -> h.qualifiedName().length()).max().orElse(0);
      for (FeatureSearch.Hit h : hits) {
        Optional<OfflineTable.Facts> f = table ? facts.get(h.group().name()) : Optional.empty();
        System.out.println(json ? Json.write(jsonHit(h, f)) : line(h, f, width));
      }
      return 0;
    }

    private Optional<OfflineTable.Facts> tableFacts(FeatureGroup g) {
      OfflineTable t = context.tidemark().offlineTable(g.name());
      return t.exists() ? Optional.of(t.facts()) : Optional.empty();
    }

    private String line(FeatureSearch.Hit h, Optional<OfflineTable.Facts> f, int width) {
      FeatureGroup g = h.group();
      StringBuilder s = new StringBuilder(String.format("  %-" + width + "s  %-10s %-7s %-12s ttl %-5s score %2d  %s",
          h.qualifiedName(), h.feature().type().yamlName(), g.offline().format().sparkName(), g.online().enabled()
              ? "online" + g.online().ttl().map(t -> " " + Durations.format(t)).orElse("") : "offline-only",
          g.ttl().map(Durations::format).orElse("none"), h.score(), h.feature().description()));
      if (table) {
        s.append(f.map(x -> "\n      table: " + x.rows() + " rows, last event " + x.lastEventTime().map(
            Object::toString).orElse("none") + ", last write " + x.lastWriteTime().map(Object::toString)
            .orElse("none") + x.version().map(v -> ", version " + v).orElse(""))
            .orElse("\n      table: not written yet (run: tidemark ingest " + g.name() + ")"));
      }
      return s.toString();
    }

    private Map<String, Object> jsonHit(FeatureSearch.Hit h, Optional<OfflineTable.Facts> f) {
      FeatureGroup g = h.group();
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("group", g.name());
      m.put("feature", h.feature().name());
      m.put("type", h.feature().type().yamlName());
      m.put("description", h.feature().description());
      m.put("group_description", g.description());
      m.put("owner", g.owner());
      m.put("tags", g.tags());
      m.put("offline_format", g.offline().format().sparkName());
      m.put("online", g.online().enabled());
      m.put("online_ttl", g.online().ttl().map(Durations::format).orElse(null));
      m.put("ttl", g.ttl().map(Durations::format).orElse(null));
      m.put("score", h.score());
      m.put("matched", h.matched());
      if (table) {
        m.put("table_rows", f.map(OfflineTable.Facts::rows).orElse(null));
        m.put("last_event_time", f.flatMap(OfflineTable.Facts::lastEventTime).map(Object::toString).orElse(null));
        m.put("last_write_time", f.flatMap(OfflineTable.Facts::lastWriteTime).map(Object::toString).orElse(null));
        m.put("table_version", f.flatMap(OfflineTable.Facts::version).orElse(null));
      }
      return m;
    }
  }

  /** {@code --type}: a feature type by its definition name, any case. */
  static final class TypeConverter implements CommandLine.ITypeConverter<FeatureType> {
    @Override
    public FeatureType convert(String value) {
      return FeatureType.fromYaml(value).orElseThrow(() -> new CommandLine.TypeConversionException(
          "unknown feature type '" + value + "' (types: " + FeatureType.allowedNames() + ")"));
    }
  }
}
