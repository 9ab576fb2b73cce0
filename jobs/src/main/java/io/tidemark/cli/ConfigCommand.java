package io.tidemark.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "config", mixinStandardHelpOptions = true,
    description = "Print the effective configuration (defaults, config file and environment merged; secrets masked).")
final class ConfigCommand implements Callable<Integer> {
  @Mixin
  CliContext context;

  @Override
  public Integer call() {
    context.config().describe().forEach((k, v) -> System.out.println(k + " = " + v));
    return 0;
  }
}
