package io.tidemark.testing;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

/** Running the CLI inside the test JVM: its exit code and what it printed on stdout and stderr. */
public final class CliRuns {
  private CliRuns() {}

  public record Run(int exit, String out, String err) {}

  public static Run run(Callable<Integer> cli) throws Exception {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      int code = cli.call();
      return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  /** A test project with a tidemark.yaml naming its offline root, database and raw_root. */
  public static TestStore project(String name) {
    TestStore store = new TestStore(name);
    store.write("tidemark.yaml", "offline:\n  root: " + store.path("offline") + "\ncatalog:\n  database: "
        + store.database + "\nvariables:\n  raw_root: " + store.path("raw") + "\n");
    return store;
  }
}
