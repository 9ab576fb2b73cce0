package io.tidemark.cli;

import io.tidemark.online.materialize.MaterializeResult;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "materialize", mixinStandardHelpOptions = true,
    description = {"Load the latest record per id of online-enabled groups into DynamoDB.",
        "The first run (and --full) loads a new table version and then switches the alias readers use; later runs "
            + "write only the records changed since the last materialized offline version, each decided against its "
            + "offline history (as the offline snapshot orders them).",
        "One run at a time writes a group: a run that finds another's writer lease stops and says until when it "
            + "holds it.",
        "Exit code 1 when some items were over DynamoDB's 400 KB limit (listed; the rest is written)."})
final class MaterializeCommand extends TidemarkCli.JobCommand {
  @Parameters(arity = "1..*", paramLabel = "GROUP", description = "Online-enabled feature groups.")
  List<String> groups;

  @Option(names = "--full", description = "Reload everything into a new table version, then switch the alias.")
  boolean full;

  @Override
  int execute() {
    groups.forEach(g -> context.registry().group(g));
    int exit = 0;
    for (String g : groups) {
      Progress.info("materialize " + g + (full ? " --full" : "") + " ...");
      MaterializeResult r = context.tidemark().materialize(g).full(full).execute();
      System.out.println(r.summary());
      if (r.oversized() > 0) {
        Progress.info("materialize " + g + ": " + r.oversized() + " records not written, over 400 KB: "
            + r.oversizedIds());
        exit = TidemarkCli.EXIT_FAILED;
      }
    }
    return exit;
  }
}
