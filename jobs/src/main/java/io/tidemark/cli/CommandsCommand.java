package io.tidemark.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/** Lists every subcommand with its options, so tools (the Airflow DAG lint, deploy checks) can verify their calls. */
@Command(name = "commands", mixinStandardHelpOptions = true,
    description = "List every subcommand and its options; --json prints one JSON object per subcommand.")
final class CommandsCommand implements Callable<Integer> {
  @Option(names = "--json", description = "Machine-readable output.")
  boolean json;

  @CommandLine.Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    List<Map<String, Object>> all = new ArrayList<>();
    collect(spec.root(), "", all);
    for (Map<String, Object> c : all) {
      System.out.println(json ? Json.write(c) : c.get("command") + "  " + String.join(" ", castList(c.get("options"))));
    }
    return 0;
  }

  private static void collect(CommandSpec cmd, String prefix, List<Map<String, Object>> out) {
    for (Map.Entry<String, CommandLine> e : cmd.subcommands().entrySet()) {
      CommandSpec sub = e.getValue().getCommandSpec();
      if (!sub.name().equals(e.getKey()) || sub.name().equals("help")) {
        continue;
      }
      String name = (prefix + " " + sub.name()).trim();
      if (!sub.subcommands().isEmpty()) {
        collect(sub, name, out);
        continue;
      }
      List<String> options = new ArrayList<>();
      for (OptionSpec o : sub.options()) {
        options.addAll(List.of(o.names()));
      }
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("command", name);
      m.put("options", options);
      m.put("positionals", sub.positionalParameters().stream().map(p -> p.paramLabel()).toList());
      out.add(m);
    }
  }

  @SuppressWarnings("unchecked")
  private static List<String> castList(Object o) {
    return (List<String>) o;
  }
}
