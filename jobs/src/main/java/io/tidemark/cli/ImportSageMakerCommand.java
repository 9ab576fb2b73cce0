package io.tidemark.cli;

import io.tidemark.runtime.RemoteFiles;
import io.tidemark.sagemaker.SageMakerHistoryImport;
import io.tidemark.sagemaker.SageMakerImport;
import io.tidemark.sagemaker.SageMakerOfflineStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "import-sagemaker", mixinStandardHelpOptions = true,
    description = {"Come from SageMaker Feature Store: write feature-definitions/<name>.yaml from the JSON of aws "
        + "sagemaker describe-feature-group (or a create-feature-group request), local or s3://, and with --history "
        + "load the group's offline store into its Tidemark offline table.",
        "Prints what was renamed, changed or not carried, one line per SageMaker setting. Names become lower case "
            + "with '_' (Customer-Profiles -> customer_profiles); the originals are kept under sagemaker:. "
            + "Features Tidemark cannot hold yet (List, Set, Vector) stop the import unless --skip-unsupported.",
        "Without --history no Spark is started. With it, rows keep their write_time, api_invocation_time and "
            + "is_deleted; exact duplicates are written once, refused rows are quarantined with their reasons, "
            + "rows the table holds already are skipped (running it again is a no-op), and the counts are printed.",
        "Examples:",
        "  tidemark import-sagemaker customer-profiles.json",
        "  tidemark import-sagemaker customer-profiles.json --history s3://bucket/prefix/111122223333/sagemaker/"
            + "us-east-1/offline-store/Customer-Profiles-1714564800",
        "  tidemark import-sagemaker --group customer_profiles --history ./offline-store/Customer-Profiles-1714564800"})
final class ImportSageMakerCommand extends TidemarkCli.JobCommand {
  @Parameters(arity = "0..*", paramLabel = "FILE", description = "DescribeFeatureGroup JSON files, local or s3://.")
  List<String> files = new ArrayList<>();

  @Option(names = "--name", paramLabel = "NAME",
      description = "The Tidemark group name (default: derived from FeatureGroupName); one FILE only.")
  String name;

  @Option(names = "--owner", paramLabel = "OWNER",
      description = "The group's owner (default: the SageMaker tag 'owner', else none).")
  String owner;

  @Option(names = "--skip-unsupported",
      description = "Write the definitions without the features Tidemark has no equivalent for yet (collections) "
          + "instead of refusing.")
  boolean skipUnsupported;

  @Option(names = "--force", description = "Replace existing definition files (an identical one is kept as is).")
  boolean force;

  @Option(names = "--history", paramLabel = "LOCATION",
      description = "The group's SageMaker offline store, local or s3://: the folder <FeatureGroupName>-<epoch> under "
          + "offline-store/ (its data/ folder, or for Iceberg the table folder, also works). Needs one FILE or "
          + "--group.")
  String history;

  @Option(names = "--group", paramLabel = "GROUP",
      description = "With --history and no FILE: the Tidemark group (already defined) to load the history into.")
  String group;

  @Option(names = "--layout", paramLabel = "LAYOUT", defaultValue = "auto",
      description = "The offline store's TableFormat: glue, iceberg or auto (default: ${DEFAULT-VALUE}, detected "
          + "from the files).")
  String layout;

  @Override
  int execute() {
    Optional<SageMakerOfflineStore.Layout> storeLayout = parseLayout();
    if (files.isEmpty() && (history == null || group == null)) {
      throw usage("import-sagemaker needs FILE (a DescribeFeatureGroup JSON), or --group GROUP with --history "
          + "LOCATION to load history into a group already defined");
    }
    if (group != null && !files.isEmpty()) {
      throw usage("--group names a group already defined; with FILE the group is the one FILE defines (drop "
          + "--group, or pass --name to choose its name)");
    }
    if (history != null && files.size() > 1) {
      throw usage("--history loads one group's offline store: pass one FILE, got " + files.size());
    }
    if (name != null && files.size() > 1) {
      throw usage("--name needs exactly one FILE, got " + files.size());
    }
    if (files.isEmpty()) {
      return importHistory(group, storeLayout);
    }
    if (RemoteFiles.isRemote(context.definitionsLocation())) {
      // definitionsDir() would be a temporary copy: the files written there would be lost
      throw usage("import-sagemaker writes definition files: --definitions must be a local folder, not "
          + context.definitionsLocation() + " (import locally, then upload the folder)");
    }
    Path dir = context.definitionsDir();
    SageMakerImport.Options options = new SageMakerImport.Options(Optional.ofNullable(name),
        Optional.ofNullable(owner));
    List<SageMakerImport.Result> results = new ArrayList<>();
    for (String file : files) {
      results.add(SageMakerImport.fromJson(read(file), file, dir, options));
    }
    SageMakerImport.checkDistinct(results);
    List<String> refusals = new ArrayList<>();
    for (SageMakerImport.Result r : results) {
      if (!r.leftOut().isEmpty() && !skipUnsupported) {
        refusals.add(r.sageMakerName() + " has " + r.leftOut().size() + " feature" + (r.leftOut().size() == 1 ? ""
            : "s") + " with no Tidemark equivalent yet (" + String.join(", ", r.leftOut()) + ")");
      }
      if (Files.exists(r.group().file()) && !force && !r.unchanged()) {
        refusals.add(r.group().file() + " exists already with other content (pass --force to replace it)");
      }
    }
    for (SageMakerImport.Result r : results) {
      boolean unchanged = r.unchanged();
      boolean written = refusals.isEmpty() && !unchanged;
      if (written) {
        SageMakerImport.write(r, force);
      }
      System.out.println("import-sagemaker " + r.sageMakerName() + " -> " + (written ? r.group().file()
          : unchanged ? r.group().file() + " (unchanged)" : "nothing written") + ": " + r.group().features().size()
          + " features" + (r.leftOut().isEmpty() ? "" : ", " + r.leftOut().size() + " left out") + ", "
          + r.report().size() + " report lines");
      r.report().forEach(line -> System.out.println("  " + line));
    }
    if (!refusals.isEmpty()) {
      throw new IllegalStateException("import-sagemaker wrote nothing: " + String.join("; ", refusals)
          + (refusals.stream().anyMatch(x -> x.contains("no Tidemark equivalent"))
              ? ". Pass --skip-unsupported to write the definitions without those features" : ""));
    }
    return history == null ? 0 : importHistory(results.get(0).group().name(), storeLayout);
  }

  /** Loads the SageMaker offline store at --history into the group's offline table; prints where each row went. */
  private int importHistory(String groupName, Optional<SageMakerOfflineStore.Layout> storeLayout) {
    context.registry().group(groupName);
    Progress.info("import-sagemaker " + groupName + ": reading the SageMaker offline store " + history + " ...");
    SageMakerHistoryImport.Result result = context.tidemark().importSageMakerHistory(groupName, history)
        .layout(storeLayout).onStoreRead(read -> System.out.println(read.summary())).execute();
    System.out.println(result.imported().summary());
    result.accounting().ifPresent(System.out::println);
    return 0;
  }

  /** Parsed here rather than by a picocli converter, so the message reads "--layout: ..." (exit 2 all the same). */
  private Optional<SageMakerOfflineStore.Layout> parseLayout() {
    try {
      return SageMakerOfflineStore.Layout.parse(layout);
    } catch (IllegalArgumentException e) {
      throw usage("--layout: " + e.getMessage());
    }
  }

  private String read(String file) {
    try {
      return Files.readString(RemoteFiles.local(file, context.config()), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + file + ": " + e, e);
    }
  }
}
