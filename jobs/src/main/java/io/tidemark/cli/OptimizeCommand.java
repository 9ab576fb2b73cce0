package io.tidemark.cli;

import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "optimize", mixinStandardHelpOptions = true,
    description = {"Compact the offline files of Delta groups: Delta OPTIMIZE with Z-order by the record identifier, "
        + "per event date, into files of about offline.target_file_size.",
        "Only dates that need it are rewritten (more files than their bytes need); the rows do not change, and "
            + "incremental online loads see no change. The replaced files stay until vacuum deletes them."})
final class OptimizeCommand extends TidemarkCli.JobCommand {
  @Parameters(arity = "1..*", paramLabel = "GROUP", description = "Feature groups with a Delta offline table.")
  List<String> groups;

  @Override
  int execute() {
    groups.forEach(g -> context.registry().group(g));
    for (String g : groups) {
      Progress.info("optimize " + g + " ...");
      System.out.println(context.tidemark().optimize(g).execute().summary());
    }
    return 0;
  }
}
