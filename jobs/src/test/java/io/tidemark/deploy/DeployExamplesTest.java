package io.tidemark.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidemark.cli.TidemarkCli;
import io.tidemark.config.TidemarkConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The deploy/ examples must match the jar: its main class, its subcommands and their options. */
class DeployExamplesTest {
  static final Path DEPLOY = Path.of("..", "deploy").toAbsolutePath().normalize();
  static final ObjectMapper JSON = new ObjectMapper();

  /** Parses the Tidemark arguments with the real CLI model: unknown subcommands or options throw. */
  static String parse(List<String> args) {
    CommandLine cli = new CommandLine(new TidemarkCli()).setCaseInsensitiveEnumValuesAllowed(true);
    List<CommandLine> parsed = cli.parseArgs(args.toArray(String[]::new)).asCommandLineList();
    return parsed.get(parsed.size() - 1).getCommandName();
  }

  @Test
  void emrStepsRunExistingSubcommandsOfTheMainClass() throws IOException {
    List<String> commands = new ArrayList<>();
    for (JsonNode step : JSON.readTree(DEPLOY.resolve("emr/steps.json").toFile())) {
      List<String> args = new ArrayList<>();
      step.get("HadoopJarStep").get("Args").forEach(a -> args.add(a.asText()));
      assertEquals("command-runner.jar", step.get("HadoopJarStep").get("Jar").asText());
      assertEquals(List.of("spark-submit", "--deploy-mode", "cluster", "--class"), args.subList(0, 4));
      assertEquals(TidemarkCli.class.getName(), args.get(4));
      assertTrue(args.get(5).endsWith("/tidemark-jobs.jar"), args.get(5));
      commands.add(parse(args.subList(6, args.size())));
    }
    assertEquals(List.of("ingest", "ingest"), commands);
  }

  @Test
  void emrServerlessJobDriverRunsAnExistingSubcommand() throws IOException {
    JsonNode driver = JSON.readTree(DEPLOY.resolve("emr-serverless/start-job-run.json").toFile())
        .get("jobDriver").get("sparkSubmit");
    assertTrue(driver.get("sparkSubmitParameters").asText().startsWith("--class " + TidemarkCli.class.getName()));
    List<String> args = new ArrayList<>();
    driver.get("entryPointArguments").forEach(a -> args.add(a.asText()));
    assertEquals("ingest", parse(args));
  }

  @Test
  void awsConfigExampleIsAValidConfig() {
    TidemarkConfig c = TidemarkConfig.load(Optional.of(DEPLOY.resolve("tidemark-aws.yaml")),
        Map.of("TIDEMARK_HOME", "/tmp/unused"));
    assertEquals("s3://my-feature-store/offline", c.offlineRoot());
    assertEquals(false, c.embeddedMetastore());
    assertEquals("aws", c.get("online.endpoint"));
  }

  @Test
  void iamPolicyScopesEveryStatementToResources() throws IOException {
    JsonNode policy = JSON.readTree(DEPLOY.resolve("iam/tidemark-jobs-policy.json").toFile());
    List<String> sids = new ArrayList<>();
    for (JsonNode st : policy.get("Statement")) {
      sids.add(st.get("Sid").asText());
      st.get("Resource").forEach(r -> assertTrue(!r.asText().equals("*"), st.get("Sid") + " grants on *"));
    }
    assertEquals(List.of("ReadRawData", "OfflineStoreAndArtifacts", "GlueCatalogDatabase", "OnlineStoreTables",
        "EncryptionKey"), sids);
  }
}
