package io.tidemark.cli;

import io.tidemark.config.S3Settings;
import io.tidemark.sagemaker.SageMakerImport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "import-sagemaker", mixinStandardHelpOptions = true,
    description = {"Write feature-definitions/<name>.yaml from SageMaker Feature Store definitions: the JSON of "
        + "aws sagemaker describe-feature-group (or a create-feature-group request), local or s3://. Starts no Spark.",
        "Prints what was renamed, changed or not carried, one line per SageMaker setting. Names become lower case "
            + "with '_' (Customer-Profiles -> customer_profiles); the originals are kept under sagemaker:. "
            + "Features Tidemark cannot hold yet (List, Set, Vector) stop the import unless --skip-unsupported."})
final class ImportSageMakerCommand implements Callable<Integer> {
  @Mixin
  CliContext context;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "FILE", description = "DescribeFeatureGroup JSON files, local or s3://.")
  List<String> files;

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

  @Option(names = "--force", description = "Replace existing definition files.")
  boolean force;

  @Override
  public Integer call() {
    if (name != null && files.size() > 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--name needs exactly one FILE, got "
          + files.size());
    }
    if (RemoteFiles.isRemote(context.definitionsLocation())) {
      // definitionsDir() would be a temporary copy: the files written there would be lost
      throw new CommandLine.ParameterException(spec.commandLine(), "import-sagemaker writes definition files: "
          + "--definitions must be a local folder, not " + context.definitionsLocation()
          + " (import locally, then upload the folder)");
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
      if (Files.exists(r.group().file()) && !force) {
        refusals.add(r.group().file() + " exists already (pass --force to replace it)");
      }
    }
    for (SageMakerImport.Result r : results) {
      boolean written = refusals.isEmpty();
      if (written) {
        SageMakerImport.write(r, force);
      }
      System.out.println("import-sagemaker " + r.sageMakerName() + " -> " + (written ? r.group().file()
          : "nothing written") + ": " + r.group().features().size() + " features" + (r.leftOut().isEmpty() ? ""
          : ", " + r.leftOut().size() + " left out") + ", " + r.report().size() + " report lines");
      r.report().forEach(line -> System.out.println("  " + line));
    }
    if (!refusals.isEmpty()) {
      throw new IllegalStateException("import-sagemaker wrote nothing: " + String.join("; ", refusals)
          + (refusals.stream().anyMatch(x -> x.contains("no Tidemark equivalent"))
              ? ". Pass --skip-unsupported to write the definitions without those features" : ""));
    }
    return 0;
  }

  private String read(String file) {
    try {
      if (RemoteFiles.isRemote(file)) {
        Configuration conf = new Configuration();
        S3Settings.apply(conf, context.config());
        return Files.readString(RemoteFiles.localFile(file, conf), StandardCharsets.UTF_8);
      }
      return Files.readString(Path.of(file), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + file + ": " + e, e);
    }
  }
}
