package io.tidemark.util;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.spark.sql.RuntimeConfig;
import org.apache.spark.sql.SparkSession;

/** Session settings that hold for one call only: set before it, restored (or unset) after it, also on failure. */
public final class SessionSettings {
  private SessionSettings() {}

  public static <T> T with(SparkSession spark, Map<String, String> settings, Supplier<T> call) {
    RuntimeConfig conf = spark.conf();
    Map<String, Optional<String>> before = new HashMap<>();
    settings.forEach((k, v) -> {
      before.put(k, conf.getOption(k).isDefined() ? Optional.of(conf.get(k)) : Optional.empty());
      conf.set(k, v);
    });
    try {
      return call.get();
    } finally {
      before.forEach((k, v) -> v.ifPresentOrElse(value -> conf.set(k, value), () -> conf.unset(k)));
    }
  }

  public static void with(SparkSession spark, Map<String, String> settings, Runnable call) {
    with(spark, settings, () -> {
      call.run();
      return null;
    });
  }
}
