package io.tidemark.cli;

import io.tidemark.definitions.Durations;
import io.tidemark.maintenance.VacuumAction;
import io.tidemark.maintenance.VacuumResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "vacuum", mixinStandardHelpOptions = true,
    description = {"Delete offline files of Delta groups that no version committed within --retain needs (Delta "
        + "VACUUM), never one a recorded training-set manifest still needs.",
        "When the retention would take files from a version a manifest pins, it refuses, naming the group, the "
            + "manifests, their versions and the shortest --retain that keeps them. Groups are vacuumed in order; "
            + "a refusal stops the command (exit 1)."})
final class VacuumCommand extends TidemarkCli.JobCommand {
  @Parameters(arity = "1..*", paramLabel = "GROUP", description = "Feature groups with a Delta offline table.")
  List<String> groups;

  @Option(names = "--retain", paramLabel = "DURATION", defaultValue = "168h",
      description = "Keep every file a version committed within this long needs (default: ${DEFAULT-VALUE}, "
          + "Delta's 7 days; e.g. 24h, 30d). Shorter than 168h is safe only while nothing reads or writes older "
          + "versions.")
  String retain;

  @Option(names = "--forget-manifest", paramLabel = "PATH",
      description = "Un-pin a training-set manifest (<output>.manifest.json) from these groups first; that set can "
          + "then no longer be rebuilt with --from-manifest once its files are deleted. Repeatable.")
  List<String> forget = new ArrayList<>();

  @Override
  int execute() {
    // parsed here rather than by a picocli converter, whose message would read "Invalid value for option ..."
    Duration retention;
    try {
      retention = Durations.parseOrThrow(retain, "--retain");
    } catch (IllegalArgumentException e) {
      throw usage(e.getMessage());
    }
    groups.forEach(g -> context.registry().group(g));
    for (String g : groups) {
      Progress.info("vacuum " + g + " --retain " + retain + " ...");
      VacuumAction action = context.tidemark().vacuum(g).retain(retention);
      forget.forEach(action::forgetManifest);
      VacuumResult r = action.execute();
      r.warnings().forEach(w -> Progress.info("warning: " + w));
      System.out.println(r.summary());
    }
    return 0;
  }
}
