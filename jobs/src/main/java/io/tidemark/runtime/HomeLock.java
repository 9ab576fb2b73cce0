package io.tidemark.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.function.Consumer;

/**
 * One process at a time per {@code $TIDEMARK_HOME} with an embedded metastore: Derby boots its database for one
 * JVM only, and a second JVM gets thousands of lines of {@code XSDB6} stack traces, then fails or not depending on
 * timing. The lock is an OS file lock on {@code <home>/tidemark.lock} (released by the OS when the process ends,
 * even on kill -9); the file holds the holder's pid and start time for the message.
 */
public final class HomeLock implements AutoCloseable {
  public static final String FILE = "tidemark.lock";

  /** Another process holds the home (the CLI exits with 1). */
  public static final class HomeInUseException extends IllegalStateException {
    HomeInUseException(String message) {
      super(message);
    }
  }

  private final FileChannel channel;
  private final FileLock lock;

  private HomeLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes the home's lock, waiting up to {@code wait} (zero: not at all) while another process holds it.
   *
   * @param progress told once when waiting starts
   * @throws HomeInUseException naming the holder's pid when the lock is still held after {@code wait}
   */
  public static HomeLock acquire(Path home, Duration wait, Consumer<String> progress) {
    Path file = home.resolve(FILE);
    FileChannel channel;
    try {
      Files.createDirectories(home);
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the lock file " + file, e);
    }
    long deadline = System.nanoTime() + wait.toNanos();
    boolean told = false;
    try {
      while (true) {
        FileLock lock;
        try {
          lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
          lock = null; // this JVM holds it already (an embedding program ran a second CLI command in parallel)
        }
        if (lock != null) {
          String holder = "pid " + ProcessHandle.current().pid() + " since "
              + Instant.now().truncatedTo(ChronoUnit.SECONDS) + "\n";
          channel.truncate(0);
          channel.write(ByteBuffer.wrap(holder.getBytes(StandardCharsets.UTF_8)), 0);
          channel.force(false);
          return new HomeLock(channel, lock);
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          channel.close();
          throw new HomeInUseException("another Tidemark process (" + holder(file) + ") is using " + home
              + ", whose embedded metastore serves one process at a time; wait for it to finish and run this "
              + "again, set catalog.lock_wait (e.g. 10m) to wait for it, or use another TIDEMARK_HOME");
        }
        if (!told) {
          progress.accept("another Tidemark process (" + holder(file) + ") is using " + home + "; waiting up to "
              + io.tidemark.definitions.Durations.format(wait) + " for it");
          told = true;
        }
        Thread.sleep(Math.max(1, Math.min(500, left / 1_000_000)));
      }
    } catch (IOException e) {
      closeQuietly(channel);
      throw new UncheckedIOException("cannot lock " + file, e);
    } catch (InterruptedException e) {
      closeQuietly(channel);
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the lock " + file, e);
    }
  }

  /** What the lock file says about its holder: {@code pid 1234 since 2024-05-01T12:00:00Z}. */
  static String holder(Path file) {
    try {
      String text = Files.readString(file, StandardCharsets.UTF_8).strip();
      return text.isEmpty() ? "pid unknown" : text;
    } catch (IOException e) {
      return "pid unknown";
    }
  }

  @Override
  public void close() {
    try {
      lock.release();
    } catch (IOException e) {
      // the OS releases it when the process ends
    }
    closeQuietly(channel);
  }

  private static void closeQuietly(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      // nothing to do
    }
  }
}
