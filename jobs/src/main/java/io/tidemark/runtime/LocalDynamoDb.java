package io.tidemark.runtime;

import io.tidemark.online.dynamo.DynamoConnection;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * The local DynamoDB server of {@code online.endpoint: local}: dynalite (Apache-2.0), an open-source DynamoDB
 * server on Node.js, run as a child process on 127.0.0.1 at a free port, so every client (driver and executors)
 * goes through the real SDK pipeline. The build installs it with npm into {@code target/dynalite}
 * ({@code jobs/src/dynalite}); the launchers pass that folder as {@value #DIR_PROPERTY}.
 *
 * <p>The server exits when its stdin closes, and this JVM holds the other end: it ends with the JVM however the
 * JVM ends, {@code kill -9} included. A persistent server keeps its tables under a home's {@code online/} and holds
 * a file lock there for as long as this JVM runs, so a second process on the same home gets a clear error instead
 * of a second server on the same files. Never used on AWS.
 */
public final class LocalDynamoDb {
  /** The folder holding dynalite's {@code node_modules} and Tidemark's {@code server.js}. */
  public static final String DIR_PROPERTY = "tidemark.dynalite.dir";
  public static final String DIR_ENV = "TIDEMARK_DYNALITE_DIR";
  private static final Logger LOG = LoggerFactory.getLogger(LocalDynamoDb.class);
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final Pattern LISTENING = Pattern.compile("tidemark-dynalite listening on port (\\d+)");
  private static final Map<String, Server> SERVERS = new ConcurrentHashMap<>();
  /** The homes' lock channels, held for the JVM's life: a collected channel would close and free its lock. */
  private static final Map<Path, FileChannel> LOCKS = new ConcurrentHashMap<>();

  /** A running server: where to send requests, its process and its log. */
  public record Server(String endpoint, Process process, Path log) {}

  private LocalDynamoDb() {}

  /**
   * The server of a home's online folder, started on first use in this JVM: tables in {@code onlineDir/dynalite},
   * log in {@code onlineDir/dynalite.log}, lock in {@code onlineDir/dynalite.lock}. Returns its endpoint URL.
   */
  public static String persistent(Path onlineDir) {
    Path dir = onlineDir.toAbsolutePath().normalize();
    return SERVERS.computeIfAbsent("dir:" + dir, k -> {
      createDirectories(dir);
      Path lockFile = dir.resolve("dynalite.lock");
      FileChannel lock = lock(lockFile, dir);
      LOCKS.put(lockFile, lock);
      Server server = start(dir.resolve("dynalite"), dir.resolve("dynalite.log"), true);
      writeOwner(lock, server);
      LOG.info("local DynamoDB server (dynalite, pid {}) at {}, tables in {}", server.process().pid(),
          server.endpoint(), dir.resolve("dynalite"));
      return server;
    }).endpoint();
  }

  /** An in-memory server shared by every caller in this JVM that uses the same {@code name}; logs in logDir. */
  public static String inMemory(String name, Path logDir) {
    return SERVERS.computeIfAbsent("mem:" + name, k -> {
      createDirectories(logDir);
      return start(null, logDir.resolve("dynalite-" + name + ".log"), false);
    }).endpoint();
  }

  /** The running server with this endpoint, if this JVM started it (tests look at its process). */
  public static Server server(String endpoint) {
    return SERVERS.values().stream().filter(s -> s.endpoint().equals(endpoint)).findFirst().orElseThrow(() ->
        new IllegalArgumentException("no local DynamoDB server of this JVM is at " + endpoint));
  }

  private static Server start(Path data, Path log, boolean persistent) {
    Path install = installDir();
    List<String> command = new ArrayList<>(List.of("node", install.resolve("server.js").toString()));
    if (persistent) {
      createDirectories(data);
      command.addAll(List.of("--path", data.toString()));
    }
    Process process;
    try {
      process = new ProcessBuilder(command).directory(install.toFile())
          .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
          .start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the local DynamoDB server (online.endpoint: local): " + e
          + "; it needs Node.js 20 or newer on PATH ('node'), or set online.endpoint: aws or an http(s):// URL", e);
    }
    // the JVM ending closes the server's stdin, which stops it; on a normal exit, also wait for it to flush
    Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(process), "tidemark-dynalite-stop"));
    String endpoint = "http://127.0.0.1:" + awaitPort(process, log);
    awaitRequests(endpoint, process, log);
    return new Server(endpoint, process, log);
  }

  /** Reads the port the server prints once it listens; it prints nothing else on stdout. */
  private static int awaitPort(Process process, Path log) {
    CompletableFuture<Integer> port = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8))) {
        for (String line; (line = out.readLine()) != null; ) {
          Matcher m = LISTENING.matcher(line);
          if (m.find()) {
            port.complete(Integer.parseInt(m.group(1)));
          }
        }
      } catch (IOException e) {
        // the server is gone; reported below
      }
      port.completeExceptionally(new IOException("the server exited"));
    }, "tidemark-dynalite-stdout");
    reader.setDaemon(true);
    reader.start();
    try {
      return port.get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      process.destroyForcibly();
      throw failed("did not start", log, e);
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw failed("start was interrupted", log, e);
    }
  }

  /** Listening comes before the store is usable: wait until a real request succeeds. */
  private static void awaitRequests(String endpoint, Process process, Path log) {
    var client = new DynamoConnection(endpoint, "us-east-1", true, List.of()).reader();
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (true) {
      try {
        client.listTables(b -> b.limit(1));
        return;
      } catch (SdkException e) {
        if (!process.isAlive() || System.nanoTime() > deadline) {
          process.destroyForcibly();
          throw failed("does not answer requests", log, e);
        }
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw failed("start was interrupted", log, e);
      }
    }
  }

  private static void stop(Process process) {
    try {
      process.getOutputStream().close();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (IOException | InterruptedException e) {
      process.destroyForcibly();
    }
  }

  private static Path installDir() {
    String dir = System.getProperty(DIR_PROPERTY, System.getenv(DIR_ENV));
    String fix = "build Tidemark (mvn -B -DskipTests compile installs it with npm; needs Node.js 20 or newer), or "
        + "set online.endpoint: aws or an http(s):// URL";
    if (dir == null || dir.isBlank()) {
      throw new IllegalStateException("the local DynamoDB server (online.endpoint: local) is not set up: neither "
          + "-D" + DIR_PROPERTY + " nor " + DIR_ENV + " names its folder (./tidemark, ./bench and the tests set it; "
          + "it is jobs/target/dynalite); " + fix);
    }
    Path install = Path.of(dir).toAbsolutePath();
    if (!Files.isRegularFile(install.resolve("server.js"))
        || !Files.isRegularFile(install.resolve("node_modules/dynalite/package.json"))) {
      throw new IllegalStateException("the local DynamoDB server (dynalite) is not installed in " + install + "; "
          + fix);
    }
    return install;
  }

  /** This JVM's hold on a home's local store; another process's hold is a clear error naming it. */
  private static FileChannel lock(Path lockFile, Path dir) {
    try {
      FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ,
          StandardOpenOption.WRITE);
      FileLock held = channel.tryLock();
      if (held == null) {
        String owner = Files.readString(lockFile).trim();
        channel.close();
        throw new IllegalStateException("the local online store in " + dir + " is in use by another Tidemark "
            + "process (" + (owner.isEmpty() ? "starting" : owner) + "): one local DynamoDB server serves one "
            + "TIDEMARK_HOME at a time. Wait for that process to finish, give this one its own TIDEMARK_HOME, or "
            + "point it at the running server with online.endpoint: <its endpoint> while that process runs");
      }
      return channel; // held until this JVM exits: the OS releases it then, kill -9 included
    } catch (IOException e) {
      throw new UncheckedIOException("cannot lock " + lockFile, e);
    }
  }

  private static void writeOwner(FileChannel lock, Server server) {
    String owner = "pid " + ProcessHandle.current().pid() + ", server " + server.endpoint() + " (pid "
        + server.process().pid() + ")";
    try {
      lock.truncate(0);
      lock.write(ByteBuffer.wrap((owner + "\n").getBytes(StandardCharsets.UTF_8)), 0);
      lock.force(false);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the lock file of " + server.endpoint(), e);
    }
  }

  private static IllegalStateException failed(String what, Path log, Exception cause) {
    String tail;
    try {
      List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
      tail = String.join("\n  ", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    } catch (IOException e) {
      tail = "(cannot read it: " + e + ")";
    }
    return new IllegalStateException("the local DynamoDB server (dynalite) " + what + " (" + cause + "); its log "
        + log + " ends:\n  " + tail, cause);
  }

  private static void createDirectories(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir, e);
    }
  }
}
