package io.tidemark.online.dynamo;

import io.tidemark.config.TidemarkConfig;
import io.tidemark.definitions.Durations;
import java.time.Duration;
import java.util.Optional;

/**
 * The {@code online.*} settings the writer and the catalog use (the endpoint is {@link DynamoConnection}'s).
 *
 * @param tablePrefix prefix of every DynamoDB table Tidemark creates
 * @param writeCapacity write units per second shared by all running write tasks; 0 means no limit
 * @param kmsKey KMS key for new tables; empty: DynamoDB's default encryption
 * @param writeConcurrency DynamoDB requests in flight per Spark task
 * @param writeTasks Spark tasks that write; 0 means 4 x the default parallelism
 * @param gracePeriod how long a table version replaced by a full reload stays readable before it is deleted
 */
public record OnlineConfig(String tablePrefix, long writeCapacity, Optional<String> kmsKey, int writeConcurrency,
    int writeTasks, Duration gracePeriod) {

  public static OnlineConfig from(TidemarkConfig config) {
    return new OnlineConfig(
        config.find("online.table_prefix").orElse(""),
        nonNegative(config, "online.write_capacity"),
        config.find("online.kms_key"),
        (int) Math.max(1, nonNegative(config, "online.write_concurrency")),
        (int) nonNegative(config, "online.write_tasks"),
        Durations.parse(config.get("online.grace_period")).orElseThrow(() -> new io.tidemark.config.ConfigException(
            "setting online.grace_period = '" + config.get("online.grace_period") + "' is not a duration; "
                + Durations.fix(config.get("online.grace_period")))));
  }

  private static long nonNegative(TidemarkConfig config, String key) {
    String text = config.get(key).trim();
    try {
      long v = Long.parseLong(text);
      if (v >= 0) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new io.tidemark.config.ConfigException("setting " + key + " = '" + text + "' is not a whole number >= 0");
  }
}
