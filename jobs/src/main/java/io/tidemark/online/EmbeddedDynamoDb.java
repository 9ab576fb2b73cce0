package io.tidemark.online;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.JarURLConnection;
import java.net.ServerSocket;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * AWS's DynamoDB Local, started inside this JVM as an HTTP server so that every client (driver and local
 * executors) goes through the real SDK pipeline. One server per data folder (or in-memory name) per JVM; servers
 * stop when the JVM exits. Only for local runs and tests: the jar is not on EMR.
 *
 * <p>DynamoDB Local's expression parser needs ANTLR 4.10 while Spark and Delta need 4.9.3, so it runs in a class
 * loader of its own that looks in DynamoDB Local's jar, sqlite4java and ANTLR 4.10 first (build: jobs/pom.xml copies that
 * ANTLR jar next to this class); everything else comes from the application class path.
 */
public final class EmbeddedDynamoDb {
  private static final String RUNNER = "com.amazonaws.services.dynamodbv2.local.main.ServerRunner";
  private static final String SQLITE = "com.almworks.sqlite4java.SQLite";
  private static final String ANTLR_JAR = "dynamodb-local-antlr4-runtime.jar";
  private static final Map<String, String> ENDPOINTS = new ConcurrentHashMap<>();
  private static ClassLoader loader;

  private EmbeddedDynamoDb() {}

  /** A server persisting its tables in {@code dir} (created when missing); returns its endpoint URL. */
  public static String persistent(Path dir) {
    Path abs = dir.toAbsolutePath().normalize();
    return ENDPOINTS.computeIfAbsent("dir:" + abs, k -> {
      try {
        Files.createDirectories(abs);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create the DynamoDB Local folder " + abs, e);
      }
      return start("-dbPath", abs.toString());
    });
  }

  /** An in-memory server, shared by every caller that uses the same {@code name} in this JVM. */
  public static String inMemory(String name) {
    return ENDPOINTS.computeIfAbsent("mem:" + name, k -> start("-inMemory"));
  }

  private static String start(String... storage) {
    int port = freePort();
    String[] args = new String[storage.length + 4];
    System.arraycopy(storage, 0, args, 0, storage.length);
    // sharedDb: one database whatever the credentials/region of the client; telemetry would phone home
    System.arraycopy(new String[] {"-sharedDb", "-disableTelemetry", "-port", String.valueOf(port)}, 0, args,
        storage.length, 4);
    try {
      Class<?> runner = Class.forName(RUNNER, true, isolatedLoader());
      Object server;
      PrintStream stdout = System.out;
      // DynamoDB Local prints its configuration on stdout, which carries only results in the CLI
      System.setOut(new PrintStream(OutputStream.nullOutputStream()));
      try {
        server = runner.getMethod("createServerFromCommandLineArgs", String[].class).invoke(null, (Object) args);
        server.getClass().getMethod("start").invoke(server);
      } finally {
        System.setOut(stdout);
      }
      Method stop = server.getClass().getMethod("stop");
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          stop.invoke(server);
        } catch (ReflectiveOperationException e) {
          // the JVM is exiting; nothing left to do
        }
      }, "dynamodb-local-stop"));
    } catch (ReflectiveOperationException | IOException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new IllegalStateException("cannot start DynamoDB Local (online.endpoint = embedded) on port " + port
          + ": " + cause + "; it needs com.amazonaws:DynamoDBLocal on the class path (local runs and tests only; "
          + "on AWS set online.endpoint: aws)", cause);
    }
    return "http://127.0.0.1:" + port;
  }

  private static synchronized ClassLoader isolatedLoader() throws IOException {
    if (loader == null) {
      ClassLoader app = EmbeddedDynamoDb.class.getClassLoader();
      URL runner = app.getResource(RUNNER.replace('.', '/') + ".class");
      URL antlr = EmbeddedDynamoDb.class.getResource(ANTLR_JAR);
      if (runner == null || antlr == null) {
        throw new IOException((runner == null ? "DynamoDBLocal" : ANTLR_JAR) + " is not on the class path");
      }
      URL dynamoJar = ((JarURLConnection) runner.openConnection()).getJarFileURL();
      // sqlite4java too: DynamoDB Local loads its native library, which binds to the loader that loads it
      URL sqlite = app.getResource(SQLITE.replace('.', '/') + ".class");
      if (sqlite == null) {
        throw new IOException("sqlite4java (a DynamoDBLocal dependency) is not on the class path");
      }
      URL sqliteJar = ((JarURLConnection) sqlite.openConnection()).getJarFileURL();
      // a copy, so that this also works when the ANTLR jar sits inside another jar
      Path antlrCopy = Files.createTempFile("tidemark-dynamodb-local-antlr", ".jar");
      antlrCopy.toFile().deleteOnExit();
      try (InputStream in = antlr.openStream()) {
        Files.copy(in, antlrCopy, StandardCopyOption.REPLACE_EXISTING);
      }
      loader = new LocalFirstLoader(new URL[] {dynamoJar, sqliteJar, antlrCopy.toUri().toURL()}, app);
    }
    return loader;
  }

  /** Looks in its own jars first, then in the parent: DynamoDB Local sees ANTLR 4.10, Spark keeps 4.9.3. */
  private static final class LocalFirstLoader extends URLClassLoader {
    LocalFirstLoader(URL[] urls, ClassLoader parent) {
      super("dynamodb-local", urls, parent);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      synchronized (getClassLoadingLock(name)) {
        Class<?> c = findLoadedClass(name);
        if (c == null && !name.startsWith("java.")) {
          try {
            c = findClass(name);
          } catch (ClassNotFoundException e) {
            // not in DynamoDB Local or ANTLR: the application's
          }
        }
        if (c == null) {
          c = getParent().loadClass(name);
        }
        if (resolve) {
          resolveClass(c);
        }
        return c;
      }
    }

    @Override
    public URL getResource(String name) {
      URL url = findResource(name);
      return url != null ? url : super.getResource(name);
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free local port for DynamoDB Local", e);
    }
  }
}
