package io.tidemark.cli;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Progress lines on stderr, so stdout carries only results. */
public final class Progress {
  private Progress() {}

  public static void info(String message) {
    System.err.println(Instant.now().truncatedTo(ChronoUnit.SECONDS) + " tidemark: " + message);
  }
}
