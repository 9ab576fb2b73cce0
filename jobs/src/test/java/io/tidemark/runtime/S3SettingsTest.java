package io.tidemark.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tidemark.config.TidemarkConfig;
import io.tidemark.testing.TestSpark;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;

class S3SettingsTest {
  private static TidemarkConfig config(Map<String, String> settings) {
    return TidemarkConfig.forHome(TestSpark.target("s3-settings-home"), settings);
  }

  @Test
  void noS3SettingsLeaveTheClusterConfigurationAlone() {
    assertEquals(Map.of(), S3Settings.hadoopSettings(config(Map.of())));
  }

  @Test
  void everySettingMapsToItsS3aSetting() {
    Map<String, String> expected = new TreeMap<>();
    expected.put("fs.s3a.endpoint", "http://127.0.0.1:9090");
    expected.put("fs.s3a.connection.ssl.enabled", "false");
    expected.put("fs.s3a.endpoint.region", "eu-west-1");
    expected.put("fs.s3a.path.style.access", "true");
    expected.put("fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
    expected.put("fs.s3a.access.key", "AKIDEXAMPLE");
    expected.put("fs.s3a.secret.key", "wJalrXUtnFEMI");
    expected.put("fs.s3a.encryption.algorithm", "SSE-KMS");
    expected.put("fs.s3a.encryption.key", "arn:aws:kms:eu-west-1:111122223333:key/k1");
    TidemarkConfig c = config(Map.of("s3.endpoint", "http://127.0.0.1:9090", "s3.region", "eu-west-1",
        "s3.path_style", "TRUE", "s3.access_key", "AKIDEXAMPLE", "s3.secret_key", "wJalrXUtnFEMI",
        "s3.kms_key", "arn:aws:kms:eu-west-1:111122223333:key/k1"));
    assertEquals(expected, S3Settings.hadoopSettings(c));
    assertEquals("****", c.describe().get("s3.access_key"));
    assertEquals("****", c.describe().get("s3.secret_key"));
    assertEquals("arn:aws:kms:eu-west-1:111122223333:key/k1", c.describe().get("s3.kms_key"));
  }

  @Test
  void anHttpsEndpointKeepsTlsAndACustomEndpointGetsASigningRegion() {
    assertEquals(Map.of("fs.s3a.endpoint", "https://minio.internal:9000", "fs.s3a.connection.ssl.enabled", "true",
            "fs.s3a.endpoint.region", "us-east-1"),
        S3Settings.hadoopSettings(config(Map.of("s3.endpoint", "https://minio.internal:9000"))));
    assertEquals(Map.of("fs.s3a.encryption.algorithm", "SSE-KMS", "fs.s3a.encryption.key", "alias/features"),
        S3Settings.hadoopSettings(config(Map.of("s3.kms_key", "alias/features"))));
  }

  @Test
  void badSettingsAreErrorsThatSayHowToFixThem() {
    assertEquals("setting s3.endpoint is '127.0.0.1:9090', not an http:// or https:// URL; use e.g. "
            + "http://127.0.0.1:9090 for a local S3-compatible server, or leave it unset for AWS S3",
        error(Map.of("s3.endpoint", "127.0.0.1:9090")));
    assertEquals("setting s3.path_style is 'yes'; use true or false", error(Map.of("s3.path_style", "yes")));
    assertEquals("setting s3.secret_key is missing: set both s3.access_key and s3.secret_key, or neither to use "
        + "the AWS default credentials (environment, instance or EMR role)", error(Map.of("s3.access_key", "a")));
    assertEquals("S3 setting fs.s3a.endpoint is set twice: by spark.conf.spark.hadoop.fs.s3a.endpoint and by the "
        + "s3.* settings; keep one of them", error(Map.of("s3.endpoint", "http://localhost:1",
        "spark.conf.spark.hadoop.fs.s3a.endpoint", "http://localhost:2")));
  }

  @Test
  void s3SchemeIsMappedToS3aOnlyWhenNothingServesIt() {
    Configuration local = new Configuration(false);
    S3Settings.apply(local, config(Map.of("s3.path_style", "true")));
    assertEquals("org.apache.hadoop.fs.s3a.S3AFileSystem", local.get("fs.s3.impl"));
    assertEquals("org.apache.hadoop.fs.s3a.S3A", local.get("fs.AbstractFileSystem.s3.impl"));
    assertEquals("true", local.get("fs.s3a.path.style.access"));

    Configuration emr = new Configuration(false);
    emr.set("fs.s3.impl", "com.amazon.ws.emr.hadoop.fs.EmrFileSystem");
    S3Settings.apply(emr, config(Map.of()));
    assertEquals("com.amazon.ws.emr.hadoop.fs.EmrFileSystem", emr.get("fs.s3.impl"));
    assertEquals(null, emr.get("fs.AbstractFileSystem.s3.impl"));
  }

  private static String error(Map<String, String> settings) {
    return assertThrows(IllegalArgumentException.class, () -> S3Settings.hadoopSettings(config(settings)))
        .getMessage();
  }
}
