package io.tidemark.asof;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One history joined as of the spine time: an offline table (or any frame with the same shape: record id,
 * event time, {@link RecordOrder#WRITE_TIME write_time}, {@link RecordOrder#IS_DELETED is_deleted}, values).
 *
 * @param name what the source is called in job labels, stats and errors (the feature group)
 * @param spineKey the spine column holding this source's record id
 * @param recordId the history's record id column
 * @param eventTime the history's event time column (timestamp)
 * @param orderValues every value column in definition order: the last tie-break of {@link RecordOrder}. Pass
 *     all of them (not only the requested ones) so the same version wins whatever a request selects
 * @param outputs history columns to return (value columns or the event time)
 * @param outputNames the name of each output column in the result
 * @param ttl candidates need {@code event_time >= t - ttl} (inclusive); empty: unbounded
 */
public record AsOfSource(
    String name,
    org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> history,
    String spineKey,
    String recordId,
    String eventTime,
    List<String> orderValues,
    List<String> outputs,
    List<String> outputNames,
    Optional<Duration> ttl) {

  public AsOfSource {
    orderValues = List.copyOf(orderValues);
    outputs = List.copyOf(outputs);
    outputNames = List.copyOf(outputNames);
    if (outputs.size() != outputNames.size()) {
      throw new IllegalArgumentException(name + ": " + outputs.size() + " outputs but " + outputNames.size()
          + " output names");
    }
    if (ttl.isPresent() && ttl.get().isNegative()) {
      throw new IllegalArgumentException(name + ": ttl must not be negative: " + ttl.get());
    }
  }

  /** The same source with outputs named after the history columns. */
  public static AsOfSource of(String name, org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> history,
      String spineKey, String recordId, String eventTime, List<String> orderValues, List<String> outputs,
      Optional<Duration> ttl) {
    return new AsOfSource(name, history, spineKey, recordId, eventTime, orderValues, outputs, outputs, ttl);
  }
}
