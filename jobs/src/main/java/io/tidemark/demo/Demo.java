package io.tidemark.demo;

import io.tidemark.Tidemark;
import io.tidemark.ingest.IngestResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.spark.sql.Row;

/**
 * The end-to-end demo: generate raw data, ingest every group that has a source, and show the offline tables by
 * name through Spark SQL. Each later stage (training set, online store) adds itself here.
 */
public final class Demo {
  private final Tidemark tidemark;
  private final Path rawDir;
  private final Consumer<String> out;

  public Demo(Tidemark tidemark, Path rawDir, Consumer<String> out) {
    this.tidemark = tidemark;
    this.rawDir = rawDir;
    this.out = out;
  }

  /** What the demo did, for tests and the final summary. */
  public record Result(DemoData.Counts generated, List<IngestResult> ingests) {}

  public Result run() {
    out.accept("== 1. raw data -> " + rawDir);
    DemoData.Counts counts = DemoData.generate(rawDir, 200, 50, 3000, 42L);
    out.accept(String.format("   profiles.csv: %d rows (%d bad), catalog.json: %d rows (%d bad), reviews.csv: %d rows, "
            + "transactions.csv: %d rows (1 bad)", counts.users(), counts.badUsers(), counts.products(),
        counts.badProducts(), counts.reviews(), counts.transactions()));

    out.accept("== 2. ingest into the offline store (" + tidemark.config().offlineRoot() + "): users and products "
        + "through SQL transforms of two sources each, user_purchase_windows as point-in-time window aggregations");
    List<IngestResult> ingests = new ArrayList<>();
    for (String group : List.of("users", "products", "user_purchase_windows")) {
      IngestResult r = tidemark.ingest(group).execute();
      ingests.add(r);
      out.accept("   " + r.summary());
    }

    String db = tidemark.config().database();
    out.accept("== 3. query the offline tables by name (Spark SQL)");
    out.accept("   SELECT user_id, membership_tier, total_purchases, avg_order_value, event_time FROM " + db
        + ".users WHERE user_id = 'u0001' ORDER BY event_time");
    tidemark.spark().sql("SELECT user_id, membership_tier, total_purchases, avg_order_value, "
            + "CAST(event_time AS STRING) AS event_time FROM " + db + ".users WHERE user_id = 'u0001' ORDER BY event_time")
        .collectAsList().forEach(r -> out.accept("     " + format(r)));
    out.accept("   SELECT category, count(*), round(avg(price), 2) FROM " + db + ".products GROUP BY category");
    tidemark.spark().sql("SELECT category, count(*) AS n, round(avg(price), 2) AS avg_price FROM " + db
            + ".products GROUP BY category ORDER BY category")
        .collectAsList().forEach(r -> out.accept("     " + format(r)));
    out.accept("   SELECT event_time, purchases_7d, spend_7d, purchases_30d, distinct_products_30d FROM " + db
        + ".user_purchase_windows WHERE user_id = 'u0001' ORDER BY event_time LIMIT 6");
    tidemark.spark().sql("SELECT CAST(event_time AS STRING), purchases_7d, spend_7d, purchases_30d, "
            + "distinct_products_30d FROM " + db + ".user_purchase_windows WHERE user_id = 'u0001' ORDER BY event_time "
            + "LIMIT 6")
        .collectAsList().forEach(r -> out.accept("     " + format(r)));
    out.accept("   data quality history: SELECT write_time, rows_read, rows_quarantined, features['age'].mean FROM " + db
        + ".users__data_quality");
    tidemark.spark().sql("SELECT CAST(write_time AS STRING), rows_read, rows_quarantined, "
            + "round(features['age'].mean, 2) FROM " + db + ".users__data_quality ORDER BY write_time")
        .collectAsList().forEach(r -> out.accept("     " + format(r)));
    out.accept("   quarantined rows and why: SELECT reasons, raw_row FROM " + db + ".users__quarantine");
    tidemark.spark().sql("SELECT reasons, raw_row FROM " + db + ".users__quarantine ORDER BY raw_row")
        .collectAsList().forEach(r -> out.accept("     " + r.getList(0) + "  " + r.getString(1)));
    return new Result(counts, ingests);
  }

  private static String format(Row r) {
    List<String> cells = new ArrayList<>();
    for (int i = 0; i < r.size(); i++) {
      cells.add(String.valueOf(r.get(i)));
    }
    return String.join(" | ", cells);
  }
}
