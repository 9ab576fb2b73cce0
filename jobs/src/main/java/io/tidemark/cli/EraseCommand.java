package io.tidemark.cli;

import io.tidemark.definitions.FeatureGroup;
import io.tidemark.governance.EraseAction;
import io.tidemark.offline.ErasureLedger;
import io.tidemark.runtime.RemoteFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "erase", mixinStandardHelpOptions = true,
    description = {"Erase records (GDPR): delete every history row of the ids from the group's offline table, "
        + "from its quarantine and from its online table; record an audit entry (who, when, why, how many; never "
        + "the ids or values); refuse the ids in later ingests until the erasure is lifted.",
        "The deleted rows stay in older Delta files until `tidemark vacuum GROUP` runs after the retention period.",
        "Refuses when recorded training sets read a version holding the ids, naming them, unless "
            + "--release-manifests.",
        "Examples:", "  tidemark erase users --ids erasure-requests.txt --reason 'ticket 4711'",
        "  tidemark erase users --list", "  tidemark erase users --lift 5f0c...-..."})
final class EraseCommand extends TidemarkCli.JobCommand {
  @Parameters(index = "0", paramLabel = "GROUP", description = "The feature group.")
  String group;

  /** What to do: erase ids, lift an erasure, or list the audit. */
  static final class Task {
    @Option(names = "--ids", paramLabel = "FILE", description = "The record ids, one per line (local or s3://; a "
        + "first line equal to the record identifier's name is a header).")
    String ids;

    @Option(names = "--lift", paramLabel = "ERASURE_ID", description = "Lift an erasure: its ids may be ingested "
        + "again (what it erased stays erased).")
    String lift;

    @Option(names = "--list", description = "Print the group's erasure audit.")
    boolean list;
  }

  @ArgGroup(exclusive = true, multiplicity = "1")
  Task task;

  @Option(names = "--reason", paramLabel = "TEXT", description = "Why (kept in the audit), e.g. a ticket number.")
  String reason;

  @Option(names = "--by", paramLabel = "WHO", description = "Who asked (kept in the audit; default: the OS user).")
  String by;

  @Option(names = "--release-manifests", description = "Erase even when recorded training sets read these ids: "
      + "their pins are released (vacuum may then remove the erased rows' files) and they can no longer be rebuilt.")
  boolean releaseManifests;

  @Override
  int execute() throws IOException {
    FeatureGroup g = context.registry().group(group);
    EraseAction action = context.tidemark().erase(group);
    if (task.list) {
      List<ErasureLedger.Entry> entries = action.audit();
      System.out.println(group + ": " + entries.size() + " erasure audit entr" + (entries.size() == 1 ? "y" : "ies"));
      entries.forEach(e -> System.out.println("  " + e.at() + "  " + e.kind() + " " + e.erasureId() + "  by "
          + e.requestedBy().orElse("?") + e.reason().map(r -> " (" + r + ")").orElse("") + ": " + e.ids() + " ids"
          + (e.kind().equals("erase") ? ", " + e.offlineRowsDeleted() + " offline rows, " + e.quarantineRowsDeleted()
              + " quarantined, " + e.onlineItemsDeleted() + " online items" : "")));
      return 0;
    }
    action.reason(reason).releaseManifests(releaseManifests);
    if (by != null) {
      action.requestedBy(by);
    }
    if (task.lift != null) {
      System.out.println(action.lift(task.lift).summary());
      return 0;
    }
    List<String> lines = Files.readAllLines(RemoteFiles.local(task.ids), StandardCharsets.UTF_8).stream()
        .map(String::trim).filter(l -> !l.isEmpty()).toList();
    if (!lines.isEmpty() && lines.get(0).equals(g.recordIdentifier())) {
      lines = lines.subList(1, lines.size());
    }
    Progress.info("erase " + group + ": " + lines.size() + " record ids ...");
    System.out.println(action.ids(lines).execute().summary());
    System.out.println("erase " + group + ": the deleted rows remain in files of older Delta versions until `tidemark "
        + "vacuum " + group + "` runs after the retention period; training-set outputs written before hold their "
        + "own copies");
    return 0;
  }
}
