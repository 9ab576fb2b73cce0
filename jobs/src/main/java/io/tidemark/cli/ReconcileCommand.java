package io.tidemark.cli;

import io.tidemark.online.materialize.ReconcileResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "reconcile", mixinStandardHelpOptions = true,
    description = {"Training/serving skew check: sample record ids offline and online, compare each online item "
        + "with the offline latest values as of now, and report matched, missing, stale, mismatched and orphaned "
        + "(served online, unknown offline) records.",
        "Exit code 1 with --strict when any record is not matched."})
final class ReconcileCommand extends TidemarkCli.JobCommand {
  @Option(names = "--group", required = true, paramLabel = "GROUP", description = "The feature group.")
  String group;

  @Option(names = "--sample", defaultValue = "100", paramLabel = "N",
      description = "How many record ids to sample on each side, offline and online (default: ${DEFAULT-VALUE}).")
  int sample;

  @Option(names = "--seed", defaultValue = "1", paramLabel = "S", description = "Which ids are sampled.")
  long seed;

  @Option(names = "--strict", description = "Exit with code 1 when a record is missing, stale, mismatched or orphaned.")
  boolean strict;

  @Override
  int execute() {
    context.registry().group(group);
    Progress.info("reconcile " + group + " (sample " + sample + ") ...");
    ReconcileResult r = context.tidemark().reconcile(group).sample(sample).seed(seed).execute();
    System.out.println(r.summary());
    r.examples().forEach(e -> System.out.println("  " + e));
    return strict && r.problems() > 0 ? TidemarkCli.EXIT_FAILED : 0;
  }
}
