package io.tidemark.online.dynamo;

import io.tidemark.config.TidemarkConfig;
import io.tidemark.runtime.LocalDynamoDb;
import java.io.Serializable;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.DefaultRetryStrategy;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Where DynamoDB is, in a form that travels to executors: they build (and cache, one per JVM) their own clients.
 *
 * @param endpoint an http(s) URL, or null for the region's AWS endpoint
 * @param localServer true for a DynamoDB-compatible server on this machine (dynalite; any credentials work there, and
 *     the features such servers lack, such as TTL, are tolerated); false: DynamoDB, with the default AWS credentials
 * @param interceptors SDK interceptor classes (no-arg constructors) added to every client: metrics, fault injection
 */
public record DynamoConnection(String endpoint, String region, boolean localServer, List<String> interceptors)
    implements Serializable {
  private static final Map<DynamoConnection, DynamoDbClient> WRITERS = new ConcurrentHashMap<>();
  private static final Map<DynamoConnection, DynamoDbClient> READERS = new ConcurrentHashMap<>();

  public DynamoConnection {
    interceptors = List.copyOf(interceptors);
  }

  /**
   * From {@code online.endpoint}: {@code local} starts the local DynamoDB server ({@link LocalDynamoDb}) with its
   * tables under {@code $TIDEMARK_HOME/online}; {@code aws} is the region's DynamoDB; else an endpoint URL.
   * {@code embedded}, the name of {@code local} before Tidemark 0.2, is still understood.
   */
  public static DynamoConnection from(TidemarkConfig config) {
    String endpoint = config.get("online.endpoint").trim();
    String region = config.get("online.region").trim();
    if (endpoint.equals("local") || endpoint.equals("embedded")) {
      return new DynamoConnection(LocalDynamoDb.persistent(config.home().resolve("online")), region, true,
          List.of());
    }
    if (endpoint.equals("aws")) {
      return new DynamoConnection(null, region, false, List.of());
    }
    if (endpoint.matches("^https?://.+")) {
      String host = URI.create(endpoint).getHost();
      boolean local = host != null && (host.equals("localhost") || host.startsWith("127."));
      return new DynamoConnection(endpoint, region, local, List.of());
    }
    throw new IllegalArgumentException("setting online.endpoint = '" + endpoint
        + "' is not local, aws or an http(s):// URL");
  }

  /** The same connection with these SDK interceptors added to its clients. */
  public DynamoConnection withInterceptors(List<Class<? extends ExecutionInterceptor>> classes) {
    List<String> all = new ArrayList<>(interceptors);
    classes.forEach(c -> all.add(c.getName()));
    return new DynamoConnection(endpoint, region, localServer, all);
  }

  /** A client without SDK retries: the bulk writer retries itself, with backoff, and counts the retries. */
  public DynamoDbClient writer() {
    return WRITERS.computeIfAbsent(this, c -> c.build(false));
  }

  /** A client with the SDK's standard retries, for reads and table management. */
  public DynamoDbClient reader() {
    return READERS.computeIfAbsent(this, c -> c.build(true));
  }

  /** Where requests go, for messages. */
  public String describe() {
    return endpoint == null ? "DynamoDB in " + region : endpoint;
  }

  private DynamoDbClient build(boolean sdkRetries) {
    ClientOverrideConfiguration.Builder override = ClientOverrideConfiguration.builder();
    if (!sdkRetries) {
      override.retryStrategy(DefaultRetryStrategy.doNotRetry());
    }
    for (String name : interceptors) {
      try {
        override.addExecutionInterceptor((ExecutionInterceptor) Class.forName(name).getDeclaredConstructor()
            .newInstance());
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("cannot create SDK interceptor " + name + ": " + e, e);
      }
    }
    AwsCredentialsProvider credentials = localServer
        ? StaticCredentialsProvider.create(AwsBasicCredentials.create("tidemark", "local"))
        : DefaultCredentialsProvider.builder().build();
    // explicit Apache client: the SDK's netty client is excluded from the build
    var builder = DynamoDbClient.builder()
        .httpClientBuilder(ApacheHttpClient.builder().maxConnections(128))
        .region(Region.of(region))
        .credentialsProvider(credentials)
        .overrideConfiguration(override.build());
    if (endpoint != null) {
      builder.endpointOverride(URI.create(endpoint));
    }
    return builder.build();
  }
}
