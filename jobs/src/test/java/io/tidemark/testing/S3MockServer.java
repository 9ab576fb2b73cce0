package io.tidemark.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Adobe S3Mock, an S3-compatible server, as a separate process for the S3 tests: started at most once per test JVM
 * on free loopback ports, stopped when the JVM exits. Maven copies its runnable jar to {@code s3mock/} in the build
 * directory and passes the path as the system property {@code tidemark.s3mock.jar} (see jobs/pom.xml).
 *
 * <p>If the server cannot start, every S3 test fails with the reason: S3 support is part of the default suite.
 */
public final class S3MockServer {
  /** The bucket every S3 test works in, each under its own prefix. */
  public static final String BUCKET = "tidemark-tests";
  /**
   * A bucket for SSE-KMS tests. S3A reads its settings once per bucket (its file systems are cached), so encrypted
   * writes need a bucket of their own.
   */
  public static final String KMS_BUCKET = "tidemark-kms-tests";
  /**
   * The one KMS key id the server accepts; any other is refused like AWS KMS would. (S3Mock registers keys by ARN
   * but matches the id in requests, so tests use the id form, which AWS accepts as well.)
   */
  public static final String KMS_KEY_ID = "tidemark-test-key";
  private static final String KMS_KEY_ARN = "arn:aws:kms:us-east-1:111122223333:key/" + KMS_KEY_ID;
  private static final String ACCESS_KEY = "tidemark-test-access";
  private static final String SECRET_KEY = "tidemark-test-secret";
  private static final Duration STARTUP_LIMIT = Duration.ofMinutes(3);
  private static final Path DIR = TestSpark.target("s3mock");
  private static final Path PID_FILE = DIR.resolve("s3mock.pid");

  private static S3MockServer instance;
  private static RuntimeException startFailure;

  private final String endpoint;
  private final int httpsPort;
  private final Path jar;
  private final S3Client client;
  private boolean trusted;

  private S3MockServer(String endpoint, int httpsPort, Path jar) {
    this.endpoint = endpoint;
    this.httpsPort = httpsPort;
    this.jar = jar;
    this.client = S3Client.builder().endpointOverride(URI.create(endpoint)).region(Region.US_EAST_1)
        .forcePathStyle(true).httpClientBuilder(ApacheHttpClient.builder())
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
        .build();
  }

  /** The running server, started on first use. A failed start fails every later call the same way. */
  public static synchronized S3MockServer get() {
    if (startFailure != null) {
      throw startFailure;
    }
    if (instance == null) {
      try {
        instance = start();
        // before any S3A client exists: Hadoop 3.4's S3A (the Spark 4 build) takes the default SSLContext when it
        // creates its first client, even an HTTP one
        instance.trustCertificate();
      } catch (RuntimeException e) {
        startFailure = e;
        throw e;
      }
    }
    return instance;
  }

  /**
   * A server another JVM of this test run started (its {@link #endpoint()}), for a child JVM that puts and reads
   * objects in it: HTTP only ({@link #httpsEndpoint()} and {@link #trustCertificate()} need the starting JVM).
   */
  public static S3MockServer running(String endpoint) {
    return new S3MockServer(endpoint, -1, null);
  }

  /** {@code http://127.0.0.1:<port>} */
  public String endpoint() {
    return endpoint;
  }

  /**
   * The server's HTTPS endpoint, {@code https://localhost:<port>}: the AWS SDK sends SSE-KMS requests over HTTPS
   * only. Its certificate is self-signed; {@link #get()} already made this JVM trust it.
   */
  public String httpsEndpoint() {
    return "https://localhost:" + httpsPort;
  }

  /**
   * Makes this JVM trust the server's self-signed certificate, in addition to the JDK's CAs, by replacing the
   * default {@link SSLContext}. S3A takes the default context once per JVM (Hadoop's DelegatingSSLSocketFactory
   * keeps it): Hadoop 3.3 at its first HTTPS connection, Hadoop 3.4 at its first client. {@link #get()} calls this.
   */
  public synchronized void trustCertificate() {
    if (trusted) {
      return;
    }
    try (JarFile jf = new JarFile(jar.toFile())) {
      // the server's key store, as it ships in the jar (S3MockApplication: classpath:s3mock.jks, "password")
      JarEntry entry = jf.getJarEntry("BOOT-INF/classes/s3mock.jks");
      if (entry == null) {
        throw new IllegalStateException(jar + " has no BOOT-INF/classes/s3mock.jks; did the S3Mock version change?");
      }
      KeyStore server = KeyStore.getInstance("JKS");
      try (InputStream in = jf.getInputStream(entry)) {
        server.load(in, "password".toCharArray());
      }
      KeyStore trusted = KeyStore.getInstance("PKCS12");
      trusted.load(null, null);
      TrustManagerFactory jdk = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      jdk.init((KeyStore) null);
      int n = 0;
      for (TrustManager tm : jdk.getTrustManagers()) {
        if (tm instanceof X509TrustManager x509) {
          for (X509Certificate ca : x509.getAcceptedIssuers()) {
            trusted.setCertificateEntry("jdk-" + n++, ca);
          }
        }
      }
      trusted.setCertificateEntry("tidemark-s3mock", server.getCertificate("selfsigned"));
      TrustManagerFactory both = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      both.init(trusted);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, both.getTrustManagers(), null);
      SSLContext.setDefault(context);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot trust S3Mock's certificate from " + jar, e);
    }
    this.trusted = true;
  }

  /** The Tidemark settings that point S3A at this server (with static test keys: it accepts any). */
  public Map<String, String> settings() {
    Map<String, String> s = new TreeMap<>();
    s.put("s3.endpoint", endpoint);
    s.put("s3.path_style", "true");
    s.put("s3.access_key", ACCESS_KEY);
    s.put("s3.secret_key", SECRET_KEY);
    return s;
  }

  /** An AWS SDK client of the server, independent of the S3A code under test. */
  public S3Client client() {
    return client;
  }

  public void put(String bucket, String key, String text) {
    client.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString(text, StandardCharsets.UTF_8));
  }

  /** The keys under a prefix, sorted. */
  public List<String> keys(String bucket, String prefix) {
    return client.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents().stream()
        .map(S3Object::key).sorted().toList();
  }

  private static S3MockServer start() {
    Path jar = Path.of(Optional.ofNullable(System.getProperty("tidemark.s3mock.jar"))
        .orElse(DIR.resolve("s3mock-exec.jar").toString()));
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("S3Mock jar not found at " + jar + "; run the tests with Maven "
          + "(cd jobs && mvn -B test), which copies com.adobe.testing:s3mock:exec from Maven Central to "
          + "target/s3mock/ in the generate-test-resources phase");
    }
    stopLeftover();
    List<String> failures = new ArrayList<>();
    // a free port found here can be taken before the server binds it: then try again with new ports
    for (int attempt = 1; attempt <= 3; attempt++) {
      Path root = DIR.resolve("store");
      Path log = DIR.resolve("s3mock.log");
      TestSpark.deleteRecursively(root);
      int httpPort = freePort();
      int httpsPort = freePort();
      Process p;
      try {
        Files.createDirectories(root);
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar", jar.toString(),
            "--http.port=" + httpPort, "--server.port=" + httpsPort,
            // as an argument: Spring does not bind this list from an environment variable
            "--com.adobe.testing.s3mock.store.valid-kms-keys=" + KMS_KEY_ARN)
            .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("COM_ADOBE_TESTING_S3MOCK_STORE_ROOT", root.toString());
        pb.environment().put("COM_ADOBE_TESTING_S3MOCK_STORE_INITIAL_BUCKETS", BUCKET + "," + KMS_BUCKET);
        p = pb.start();
        Files.writeString(PID_FILE, Long.toString(p.pid()));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start S3Mock (" + jar + ")", e);
      }
      Process started = p;
      Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(started), "s3mock-stop"));
      String endpoint = "http://127.0.0.1:" + httpPort;
      Optional<String> failure = awaitReady(p, endpoint, log);
      if (failure.isEmpty()) {
        return new S3MockServer(endpoint, httpsPort, jar);
      }
      stop(p);
      failures.add("attempt " + attempt + ": " + failure.get());
    }
    throw new IllegalStateException("S3Mock did not start; the S3 tests need it. " + String.join("; ", failures));
  }

  /** Empty when the server lists its buckets; else why not, with the end of its log. */
  private static Optional<String> awaitReady(Process p, String endpoint, Path log) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest list = HttpRequest.newBuilder(URI.create(endpoint + "/")).timeout(Duration.ofSeconds(5)).build();
    long deadline = System.nanoTime() + STARTUP_LIMIT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        return Optional.of("the process exited with code " + p.exitValue() + "; log " + log + ":\n" + tail(log));
      }
      try {
        if (http.send(list, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return Optional.empty();
        }
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Optional.of("interrupted while waiting for S3Mock");
      }
      sleep(250);
    }
    return Optional.of("no answer at " + endpoint + " within " + STARTUP_LIMIT.toSeconds() + " s; log " + log
        + ":\n" + tail(log));
  }

  private static void stop(Process p) {
    if (!p.isAlive()) {
      return;
    }
    p.destroy();
    try {
      if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /** A server this fixture started in a test JVM that was killed (no shutdown hook ran): stop it. */
  private static void stopLeftover() {
    if (!Files.isRegularFile(PID_FILE)) {
      return;
    }
    try {
      long pid = Long.parseLong(Files.readString(PID_FILE).trim());
      ProcessHandle.of(pid).filter(h -> h.info().commandLine().orElse("").contains("s3mock-exec.jar"))
          .ifPresent(h -> {
            h.destroy();
            try {
              h.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
              h.destroyForcibly();
            }
          });
      Files.delete(PID_FILE);
    } catch (IOException | NumberFormatException e) {
      // nothing to stop
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free local port", e);
    }
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
