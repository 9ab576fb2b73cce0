package io.tidemark.cli;

import io.tidemark.demo.Demo;
import java.nio.file.Path;
import picocli.CommandLine.Command;

@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Run the whole demo on the embedded defaults: generate realistic raw data under "
        + "$TIDEMARK_HOME/demo/raw, ingest it, and show the results.",
        "Safe to re-run: unchanged input is not ingested twice."})
final class DemoCommand extends TidemarkCli.JobCommand {
  @Override
  int execute() {
    Path raw = Path.of(context.config().variables().getOrDefault("raw_root",
        context.config().home().resolve("demo/raw").toString()));
    Demo.Result result = new Demo(context.tidemark(), raw, System.out::println).run();
    long written = result.ingests().stream().mapToLong(r -> r.rowsWritten()).sum();
    long quarantined = result.ingests().stream().mapToLong(r -> r.rowsQuarantined()).sum();
    System.out.println("demo: done; offline rows written " + written + ", quarantined " + quarantined
        + "; state in " + context.config().home());
    return 0;
  }
}
