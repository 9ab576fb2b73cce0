package io.tidemark.training;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import io.tidemark.definitions.FeatureType;
import io.tidemark.source.SourceReader;
import io.tidemark.util.Hashing;
import io.tidemark.util.Sql;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/**
 * Count, time range and content hash of a spine, from one pass that also counts its bad values (times that are not
 * times, CSV lines that do not parse, join keys that are not ids) and refuses a spine with any.
 *
 * @param minTime the earliest spine time (null for an empty spine), as {@code maxTime}
 * @param contentHash an order-independent hash of the rows as read, with their count: a rebuild checks it
 */
record SpineProfile(long rows, Instant minTime, Instant maxTime, String contentHash) {

  /**
   * @param raw the spine as read
   * @param timed {@code raw} with the spine time as a timestamp in {@link SpineRows#SPINE_TIME}
   */
  static SpineProfile of(Dataset<Row> raw, Dataset<Row> timed, String timeColumn, List<RequestedGroup> groups,
      String spineName) {
    Column[] rawCols = Arrays.stream(raw.columns()).filter(c -> !c.equals(SourceReader.CORRUPT_RECORD))
        .map(c -> col(Sql.quote(c))).toArray(Column[]::new);
    // two hashes, one salted, summed: a row's order does not count, and two rows cancelling out is unlikely
    Column[] salted = Arrays.copyOf(rawCols, rawCols.length + 1);
    salted[rawCols.length] = lit("tidemark");
    Column spineTime = col(SpineRows.SPINE_TIME);
    Column rawTime = col(Sql.quote(timeColumn));
    List<Column> aggs = new ArrayList<>();
    aggs.add(count(lit(1)));
    aggs.add(sum(xxhash64(rawCols).cast(DataTypes.createDecimalType(38, 0))));
    aggs.add(sum(xxhash64(salted).cast(DataTypes.createDecimalType(38, 0))));
    aggs.add(min(spineTime));
    aggs.add(max(spineTime));
    aggs.add(count(when(rawTime.isNotNull().and(spineTime.isNull()), 1)));
    boolean csv = Arrays.asList(raw.columns()).contains(SourceReader.CORRUPT_RECORD);
    aggs.add(csv ? count(col(SourceReader.CORRUPT_RECORD)) : lit(0L));
    for (RequestedGroup g : groups) {
      Column key = col(Sql.quote(g.joinKey()));
      DataType idType = g.group().recordIdentifierFeature().type() == FeatureType.INTEGRAL
          ? DataTypes.LongType : DataTypes.StringType;
      aggs.add(count(when(key.isNotNull().and(key.cast(idType).isNull()), 1)));
    }
    Row r = timed.agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(Column[]::new)).first();

    long badTimes = r.getLong(5);
    if (badTimes > 0) {
      Row example = timed.where(rawTime.isNotNull().and(spineTime.isNull())).select(rawTime.cast("string")).first();
      throw new IllegalArgumentException(spineName + ": " + badTimes + " values of the time column '"
          + timeColumn + "' are not times, e.g. '" + example.getString(0) + "'; use ISO-8601 like "
          + "2024-03-01T10:00:00Z (UTC unless a zone is given)");
    }
    if (r.getLong(6) > 0) {
      Row example = raw.where(col(SourceReader.CORRUPT_RECORD).isNotNull()).select(SourceReader.CORRUPT_RECORD)
          .first();
      throw new IllegalArgumentException(spineName + ": " + r.getLong(6) + " lines do not parse as CSV rows with "
          + "the header's columns, e.g. '" + example.getString(0) + "'");
    }
    for (int i = 0; i < groups.size(); i++) {
      long bad = r.getLong(7 + i);
      if (bad > 0) {
        RequestedGroup g = groups.get(i);
        throw new IllegalArgumentException(spineName + ": " + bad + " values of the join key column '"
            + g.joinKey() + "' are not " + g.group().recordIdentifierFeature().type().yamlName() + " ids of group '"
            + g.name() + "'; fix them or map another column with --join-key " + g.name() + "=COLUMN");
      }
    }
    long rows = r.getLong(0);
    String hash = Hashing.sha256Hex("rows=" + rows + ";h1=" + r.get(1) + ";h2=" + r.get(2));
    return new SpineProfile(rows, r.isNullAt(3) ? null : r.getTimestamp(3).toInstant(),
        r.isNullAt(4) ? null : r.getTimestamp(4).toInstant(), hash);
  }
}
