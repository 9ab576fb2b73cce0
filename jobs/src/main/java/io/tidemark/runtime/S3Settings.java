package io.tidemark.runtime;

import io.tidemark.config.ConfigException;
import io.tidemark.config.TidemarkConfig;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.SparkSession;

/**
 * The {@code s3.*} settings, turned into S3A settings ({@code fs.s3a.*}) of a session's Hadoop configuration.
 *
 * <p>Unset settings leave the session's own values alone, so on EMR the cluster's configuration (instance role
 * credentials, region, EMR's S3A defaults) applies. Outside EMR {@code s3://} is mapped to S3A as well, so the same
 * paths work locally and on the cluster (EMR 7.10+ serves {@code s3://} with S3A).
 *
 * <p>S3A file systems are cached per bucket and read their settings once, when first used: apply the settings
 * before the session's first S3 access. {@link io.tidemark.Tidemark#create} and {@link SparkSessions#forCli} do.
 */
public final class S3Settings {
  public static final String ENDPOINT = "s3.endpoint";
  public static final String REGION = "s3.region";
  public static final String PATH_STYLE = "s3.path_style";
  public static final String ACCESS_KEY = "s3.access_key";
  public static final String SECRET_KEY = "s3.secret_key";
  public static final String KMS_KEY = "s3.kms_key";
  static final List<String> KEYS = List.of(ENDPOINT, REGION, PATH_STYLE, ACCESS_KEY, SECRET_KEY, KMS_KEY);

  private static final String S3A_FS = "org.apache.hadoop.fs.s3a.S3AFileSystem";
  private static final String S3A_ABSTRACT_FS = "org.apache.hadoop.fs.s3a.S3A";
  /** S3-compatible servers ignore the region, but the AWS SDK needs one to sign requests to a custom endpoint. */
  private static final String DEFAULT_ENDPOINT_REGION = "us-east-1";

  private S3Settings() {}

  /**
   * The Hadoop settings the configuration asks for, in key order. Contains credentials when {@code s3.access_key}
   * is set: never log the result.
   */
  public static Map<String, String> hadoopSettings(TidemarkConfig config) {
    Map<String, String> out = new TreeMap<>();
    Optional<String> endpoint = config.find(ENDPOINT).map(String::trim);
    endpoint.ifPresent(e -> {
      URI uri = endpointUri(e);
      out.put("fs.s3a.endpoint", e);
      out.put("fs.s3a.connection.ssl.enabled", String.valueOf(uri.getScheme().equalsIgnoreCase("https")));
    });
    config.find(REGION).map(String::trim)
        .or(() -> endpoint.map(e -> DEFAULT_ENDPOINT_REGION))
        .ifPresent(r -> out.put("fs.s3a.endpoint.region", r));
    config.find(PATH_STYLE).ifPresent(p -> out.put("fs.s3a.path.style.access", bool(PATH_STYLE, p)));
    Optional<String> access = config.find(ACCESS_KEY);
    Optional<String> secret = config.find(SECRET_KEY);
    if (access.isPresent() != secret.isPresent()) {
      throw new ConfigException("setting " + (access.isPresent() ? SECRET_KEY : ACCESS_KEY)
          + " is missing: set both " + ACCESS_KEY + " and " + SECRET_KEY + ", or neither to use the AWS default "
          + "credentials (environment, instance or EMR role)");
    }
    if (access.isPresent()) {
      out.put("fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
      out.put("fs.s3a.access.key", access.get());
      out.put("fs.s3a.secret.key", secret.get());
    }
    config.find(KMS_KEY).map(String::trim).ifPresent(key -> {
      out.put("fs.s3a.encryption.algorithm", "SSE-KMS");
      out.put("fs.s3a.encryption.key", key);
    });
    Map<String, String> sparkConf = config.sparkConf();
    for (String key : out.keySet()) {
      for (String raw : List.of(key, "spark.hadoop." + key)) {
        if (sparkConf.containsKey(raw)) {
          throw new ConfigException("S3 setting " + key + " is set twice: by spark.conf." + raw
              + " and by the s3.* settings; keep one of them");
        }
      }
    }
    return out;
  }

  /** Applies {@link #hadoopSettings} and the {@code s3://} mapping to the session's Hadoop configuration. */
  public static void apply(SparkSession spark, TidemarkConfig config) {
    apply(spark.sparkContext().hadoopConfiguration(), config);
  }

  /** The same, on a Hadoop configuration of its own (reading one S3 file without a Spark session). */
  public static void apply(Configuration hadoopConf, TidemarkConfig config) {
    hadoopSettings(config).forEach(hadoopConf::set);
    if (!servesScheme(hadoopConf, "s3") && hadoopConf.getClassByNameOrNull(S3A_FS) != null) {
      hadoopConf.set("fs.s3.impl", S3A_FS);
      hadoopConf.set("fs.AbstractFileSystem.s3.impl", S3A_ABSTRACT_FS);
    }
  }

  /** True when some file system already serves the scheme (EMR: S3A or EMRFS for s3://). */
  private static boolean servesScheme(Configuration conf, String scheme) {
    if (conf.get("fs." + scheme + ".impl") != null) {
      return true;
    }
    try {
      FileSystem.getFileSystemClass(scheme, conf);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static URI endpointUri(String endpoint) {
    try {
      URI uri = new URI(endpoint);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) {
        return uri;
      }
    } catch (URISyntaxException e) {
      // reported below with the fix
    }
    throw new ConfigException("setting " + ENDPOINT + " is '" + endpoint + "', not an http:// or https:// "
        + "URL; use e.g. http://127.0.0.1:9090 for a local S3-compatible server, or leave it unset for AWS S3");
  }

  private static String bool(String key, String value) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    if (!v.equals("true") && !v.equals("false")) {
      throw new ConfigException("setting " + key + " is '" + value + "'; use true or false");
    }
    return v;
  }
}
