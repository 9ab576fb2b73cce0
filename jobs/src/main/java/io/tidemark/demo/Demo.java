package io.tidemark.demo;

import io.tidemark.Tidemark;
import io.tidemark.definitions.Durations;
import io.tidemark.definitions.FeatureGroup;
import io.tidemark.definitions.SourceFormat;
import io.tidemark.discovery.FeatureSearch;
import io.tidemark.discovery.Lineage;
import io.tidemark.ingest.IngestResult;
import io.tidemark.monitoring.DriftReport;
import io.tidemark.monitoring.DriftResult;
import io.tidemark.monitoring.DriftWindow;
import io.tidemark.online.OnlineRecord;
import io.tidemark.online.OnlineStore;
import io.tidemark.online.materialize.ReconcileResult;
import io.tidemark.training.OutputFormat;
import io.tidemark.training.TrainingSetResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.spark.sql.Row;

/**
 * The end-to-end demo: generate raw data, ingest every group that has a source, and show the offline tables by
 * name through Spark SQL, build a point-in-time training set, then serve the latest values from DynamoDB.
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
  public record Result(DemoData.Counts generated, List<IngestResult> ingests, TrainingSetResult trainingSet,
      DriftResult drift) {}

  public Result run() {
    out.accept("== 1. raw data -> " + rawDir);
    DemoData.Counts counts = DemoData.generate(rawDir, 200, 50, 3000, 42L);
    out.accept(String.format("   profiles.csv: %d rows (%d bad), catalog.json: %d rows (%d bad), reviews.csv: %d rows, "
            + "transactions.csv: %d rows (1 bad), product_embeddings.json: %d rows (1 bad)", counts.users(), counts.badUsers(), counts.products(),
        counts.badProducts(), counts.reviews(), counts.transactions(), counts.productEmbeddings()));

    out.accept("== 2. ingest into the offline store (" + tidemark.config().offlineRoot() + "): users and products "
        + "through SQL transforms of two sources each, user_purchase_windows as point-in-time window aggregations, "
        + "product_embeddings (a vector feature) as read");
    List<IngestResult> ingests = new ArrayList<>();
    for (String group : List.of("users", "products", "user_purchase_windows", "product_embeddings")) {
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
    TrainingSetResult training = trainingSet();
    DriftResult drift = drift();
    findAndTrace(training);
    onlineStages();
    return new Result(counts, ingests, training, drift);
  }

  /** Purchase labels joined as of each purchase to the user's profile and the product's attributes. */
  private TrainingSetResult trainingSet() {
    String output = tidemark.config().home().resolve("demo/training/purchases").toString();
    out.accept("== 4. point-in-time training set: transactions.csv (label: returned) as of purchased_at");
    out.accept("   tidemark training-set --spine " + rawDir.resolve("transactions.csv") + " --spine-time-column "
        + "purchased_at --label returned --features users:* --features products:* --output " + output);
    TrainingSetResult r = tidemark.trainingSet()
        .spine(rawDir.resolve("transactions.csv").toString(), SourceFormat.CSV).spineTimeColumn("purchased_at")
        .label("returned").features("users:*").features("products:*")
        .output(output, OutputFormat.PARQUET).overwrite(true).execute();
    out.accept("   " + r.summary());
    out.accept("   sample (features as of each purchase; null where no version existed yet, or only one older than the TTL):");
    tidemark.spark().read().parquet(output)
        .selectExpr("transaction_id", "user_id", "purchased_at", "returned", "membership_tier", "total_purchases",
            "product_id", "category", "price")
        .orderBy("transaction_id").limit(5).collectAsList().forEach(row -> out.accept("     " + format(row)));
    out.accept("   manifest: " + r.manifest() + " (rebuild: tidemark training-set --from-manifest " + r.manifest()
        + " --output OTHER)");
    return r;
  }

  /**
   * Drift of the rolling purchase windows, the first three weeks against the last three: the 30-day windows fill up
   * during the first month, so both features drift (a warm-up artefact a training set should not learn from).
   */
  private DriftResult drift() {
    java.time.Instant mid = DemoData.START.plus(DemoData.SPAN.dividedBy(2));
    String baseline = DemoData.START + ".." + mid;
    String current = mid + ".." + DemoData.START.plus(DemoData.SPAN);
    List<String> features = List.of("purchases_30d", "avg_order_value_30d");
    String report = tidemark.config().home().resolve("demo/reports/drift-user_purchase_windows.html").toString();
    out.accept("   drift: tidemark drift user_purchase_windows --baseline " + baseline + " --current " + current
        + " --features " + String.join(",", features) + " --report " + report);
    DriftResult r = tidemark.drift("user_purchase_windows").baseline(DriftWindow.parse(baseline))
        .current(DriftWindow.parse(current)).features(features).execute();
    DriftReport.write(r, report, tidemark.spark().sparkContext().hadoopConfiguration());
    r.table().forEach(line -> out.accept("   " + line));
    out.accept("   " + r.verdict() + " (the CLI exits 1 when a feature drifts); report " + report);
    return r;
  }

  /** Search the definitions, and trace the training set back to its groups' batches and raw files. */
  private void findAndTrace(TrainingSetResult training) {
    out.accept("== 5. find and trace features");
    out.accept("   tidemark features search order value");
    FeatureSearch.in(tidemark.registry()).text("order value").run().forEach(h -> out.accept("     "
        + h.qualifiedName() + " (" + h.feature().type().yamlName() + ", score " + h.score() + "): "
        + h.feature().description()));
    out.accept("   tidemark lineage --training-set " + training.output());
    Lineage.of(tidemark.offlineStore()).trainingSet(training.output()).groups().forEach(g -> out.accept("     "
        + g.group() + g.version().map(v -> " v" + v).orElse("") + ", " + g.features().size() + " features, from "
        + g.batches().size() + " batch" + (g.batches().size() == 1 ? "" : "es") + " of " + String.join(", ",
            g.batches().stream().flatMap(b -> b.inputs().stream()).map(i -> i.substring(i.lastIndexOf('/') + 1))
                .distinct().toList())
        + g.batches().stream().flatMap(b -> b.transform().stream()).findFirst()
            .map(t -> " through " + Path.of(t).getFileName()).orElse("")));
    out.accept("   tidemark lineage users.age");
    Lineage.of(tidemark.offlineStore()).usedBy("users", Optional.of("age")).forEach(u -> out.accept("     "
        + u.output() + u.version().map(v -> " (users v" + v + ")").orElse("")));
  }

  /** Materialize into DynamoDB, read back through the online client, reconcile. */
  private void onlineStages() {
    out.accept("== 6. materialize the latest record per id into DynamoDB (online.endpoint = "
        + tidemark.config().get("online.endpoint") + ")");
    List<String> onlineGroups = tidemark.registry().groups().stream().filter(g -> g.online().enabled())
        .map(FeatureGroup::name).sorted().toList();
    for (String group : onlineGroups) {
      out.accept("   " + tidemark.materialize(group).execute().summary());
    }
    out.accept("== 7. read records back through the online client (OnlineStore.batchGet / get)");
    OnlineStore online = tidemark.onlineStore();
    online.batchGet("products", List.of("p001", "p002", "p003", "p999")).values()
        .forEach(r -> out.accept("   products " + r.id() + ": " + r.features()));
    out.accept("   products p999: " + online.get("products", "p999").map(r -> "found").orElse("no such record"));
    Optional<OnlineRecord> user = online.get("users", "u0001");
    Optional<java.time.Duration> usersTtl = tidemark.registry().group("users").online().ttl();
    out.accept("   users u0001: " + user.map(r -> r.features().toString()).orElse(usersTtl.isEmpty()
        ? "not served (run: tidemark reconcile --group users)"
        : "not served: users has an online TTL of " + Durations.format(usersTtl.get()) + " after the event time, "
            + "and the demo profiles are from " + DemoData.START.toString().substring(0, 4) + ", so they have "
            + "expired (expired items are hidden before DynamoDB's TTL deletes them)"));
    if (onlineGroups.contains("user_purchase_windows")) {
      Optional<java.time.Duration> ttl = tidemark.registry().group("user_purchase_windows").online().ttl();
      out.accept("   user_purchase_windows u0001: " + online.get("user_purchase_windows", "u0001")
          .map(r -> r.features().toString()).orElse("not served" + ttl.map(t -> ": its online TTL is "
              + Durations.format(t) + " after the event time and the demo's purchases are from "
              + DemoData.START.toString().substring(0, 4) + " (readers hide expired items)").orElse("")));
    }
    out.accept("== 8. reconcile: compare online items with the offline latest values (skew check)");
    for (String group : onlineGroups) {
      ReconcileResult r = tidemark.reconcile(group).sample(25).execute();
      out.accept("   " + r.summary());
      r.examples().forEach(e -> out.accept("     " + e));
    }
  }

  private static String format(Row r) {
    List<String> cells = new ArrayList<>();
    for (int i = 0; i < r.size(); i++) {
      Object v = r.get(i);
      cells.add(v instanceof java.sql.Timestamp t ? t.toInstant().toString() : String.valueOf(v)); // UTC instants
    }
    return String.join(" | ", cells);
  }
}
