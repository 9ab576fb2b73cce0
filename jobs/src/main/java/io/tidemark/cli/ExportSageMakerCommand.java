package io.tidemark.cli;

import io.tidemark.definitions.FeatureGroup;
import io.tidemark.sagemaker.SageMakerExport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "export-sagemaker", mixinStandardHelpOptions = true,
    description = {"Print a group's SageMaker CreateFeatureGroup request (JSON for aws sagemaker create-feature-group "
        + "--cli-input-json), for teams that keep serving from SageMaker. Starts no Spark.",
        "What SageMaker cannot express (rules, sources, Boolean and Timestamp types, ...) is reported on stderr; "
            + "import-sagemaker reads the request back to the same definition when nothing is reported."})
final class ExportSageMakerCommand implements Callable<Integer> {
  @Mixin
  CliContext context;

  @Parameters(index = "0", paramLabel = "GROUP", description = "The feature group.")
  String group;

  @Option(names = "--output", paramLabel = "FILE", description = "Write the JSON to FILE instead of stdout.")
  Path output;

  @Option(names = "--offline-s3-uri", paramLabel = "URI",
      description = "S3Uri of the SageMaker offline store (default: the group's sagemaker.offline_s3_uri; without "
          + "one the request has no OfflineStoreConfig).")
  String offlineS3Uri;

  @Option(names = "--role-arn", paramLabel = "ARN", description = "RoleArn for SageMaker's offline store.")
  String roleArn;

  @Override
  public Integer call() {
    FeatureGroup g = context.registry().group(group);
    SageMakerExport.Result r = SageMakerExport.request(g, new SageMakerExport.Options(
        Optional.ofNullable(offlineS3Uri), Optional.ofNullable(roleArn)));
    // the JSON alone on stdout (it is piped), the report on stderr
    r.report().forEach(line -> System.err.println("export-sagemaker " + group + ": " + line));
    if (output == null) {
      System.out.print(r.json());
      return 0;
    }
    try {
      Files.writeString(output, r.json(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot write " + output + ": " + e, e);
    }
    System.out.println("export-sagemaker " + group + " -> " + output + " (CreateFeatureGroup request, "
        + r.report().size() + " report lines)");
    return 0;
  }
}
