package io.tidemark.testing;

import io.tidemark.runtime.HomeLock;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A second process for the lock tests: takes the lock of the home given as its argument, prints "locked", and holds
 * it until its stdin closes (so it dies with the test JVM).
 */
public final class HomeLockHolder {
  private HomeLockHolder() {}

  public static void main(String[] args) throws Exception {
    try (HomeLock lock = HomeLock.acquire(Path.of(args[0]), Duration.ZERO, m -> { })) {
      System.out.println("locked");
      System.out.flush();
      while (System.in.read() >= 0) {
        // hold until stdin closes
      }
    }
  }
}
