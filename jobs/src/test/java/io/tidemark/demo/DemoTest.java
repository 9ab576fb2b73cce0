package io.tidemark.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tidemark.Tidemark;
import io.tidemark.definitions.FeatureRegistry;
import io.tidemark.ingest.IngestResult;
import io.tidemark.testing.TestStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The demo on the shipped definitions and transforms: the README's first command, minus the JVM start. */
class DemoTest {
  @Test
  void demoIngestsTheShippedGroupsAndIsSafeToRerun() {
    TestStore store = new TestStore("demo");
    Path repo = Path.of("..").toAbsolutePath().normalize();
    FeatureRegistry registry = FeatureRegistry.load(repo.resolve("feature-definitions"), repo,
        store.config.variables());
    Tidemark tm = Tidemark.create(store.spark(), store.config, registry);
    List<String> lines = new ArrayList<>();

    Demo.Result first = new Demo(tm, store.path("raw"), lines::add).run();
    assertEquals(new DemoData.Counts(431, 4, 99, 2, 3001, 400, 51), first.generated());
    assertEquals(List.of("users 431 427 427 4 false", "products 99 97 97 2 false",
        "user_purchase_windows 3001 3000 9000 1 false", "product_embeddings 51 50 50 1 false"),
        summary(first.ingests()));
    assertEquals(427, store.spark().table(store.database + ".users").count());
    // drift of the purchase windows, first three weeks vs last three: the 30-day windows are still filling up
    assertEquals(List.of("2553 3842", "purchases_30d 3.2632 0.6388 DRIFT (PSI, KS)",
        "avg_order_value_30d 0.3451 0.1252 DRIFT (PSI, KS)"), java.util.stream.Stream.concat(
            java.util.stream.Stream.of(first.drift().baselineRows() + " " + first.drift().currentRows()),
            first.drift().features().stream().map(f -> f.feature() + " " + io.tidemark.monitoring.DriftReport.num(
                f.psi()) + " " + io.tidemark.monitoring.DriftReport.num(f.statistic().orElseThrow()) + " "
                + f.verdict())).toList());
    assertEquals(200, store.spark().table(store.database + ".users").select("user_id").distinct().count());

    Demo.Result second = new Demo(tm, store.path("raw"), lines::add).run();
    assertEquals(List.of("users 431 427 427 4 true", "products 99 97 97 2 true",
        "user_purchase_windows 3001 3000 9000 1 true", "product_embeddings 51 50 50 1 true"),
        summary(second.ingests()));
    assertEquals("[p903,embedding: a vector of 3 elements, the dimension is 4: '[\"0.5\",\"0.5\",\"0.5\"]']",
        store.spark().sql("SELECT get_json_object(raw_row, '$.product_id'), array_join(reasons, ', ') FROM "
            + store.database + ".product_embeddings__quarantine").first().toString());
    assertEquals(427, store.spark().table(store.database + ".users").count());
    // point in time: u0001's profile versions count only the orders placed before each version
    assertEquals(List.of("[0,2024-03-01 16:06:27]", "[2,2024-03-04 20:03:18]", "[4,2024-03-08 18:11:48]"),
        store.spark().sql("SELECT total_purchases, CAST(event_time AS STRING) FROM " + store.database
            + ".users WHERE user_id = 'u0001' ORDER BY event_time").collectAsList().stream().map(Object::toString)
            .toList());
  }

  private static List<String> summary(List<IngestResult> results) {
    return results.stream().map(r -> r.group() + " " + r.rowsRead() + " " + r.rowsAccepted() + " " + r.rowsWritten()
        + " " + r.rowsQuarantined() + " " + r.alreadyIngested()).toList();
  }
}
