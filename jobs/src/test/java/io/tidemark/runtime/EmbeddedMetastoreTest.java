package io.tidemark.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidemark.testing.TestSpark;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** What an embedded metastore leaves on disk besides its database. */
class EmbeddedMetastoreTest {
  @Test
  void hiveSessionsShareOneResourcesDirectoryInTheHome() throws IOException {
    TestSpark.get().sql("SHOW DATABASES").collectAsList();
    assertTrue(Files.isDirectory(TestSpark.target("test-spark", "tmp", "hive-resources")));
    // before, every session left an empty <tmp>/<session id>_resources behind: one per CLI run, forever
    long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
    try (Stream<Path> tmp = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      List<Path> perSession = tmp.filter(p -> p.getFileName().toString().endsWith("_resources"))
          .filter(p -> p.toFile().lastModified() >= jvmStart).toList();
      assertEquals(List.of(), perSession);
    }
  }
}
