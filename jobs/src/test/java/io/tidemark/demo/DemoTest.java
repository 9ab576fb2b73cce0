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
    assertEquals(new DemoData.Counts(395, 4, 106, 2, 3000), first.generated());
    assertEquals(List.of("users 395 391 4 false", "products 106 104 2 false"), summary(first.ingests()));
    assertEquals(391, store.spark().table(store.database + ".users").count());
    assertEquals(200, store.spark().table(store.database + ".users").select("user_id").distinct().count());

    Demo.Result second = new Demo(tm, store.path("raw"), lines::add).run();
    assertEquals(List.of("users 395 391 4 true", "products 106 104 2 true"), summary(second.ingests()));
    assertEquals(391, store.spark().table(store.database + ".users").count());
  }

  private static List<String> summary(List<IngestResult> results) {
    return results.stream().map(r -> r.group() + " " + r.rowsRead() + " " + r.rowsWritten() + " "
        + r.rowsQuarantined() + " " + r.alreadyIngested()).toList();
  }
}
