package io.tidemark.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tidemark.definitions.SourceFormat;
import io.tidemark.testing.Rows;
import io.tidemark.testing.TestStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Collection features in training sets: arrays in parquet/delta, JSON text in csv, vectors expanded in sagemaker-csv. */
class CollectionTrainingSetTest {
  static final String EMB = """
      name: emb
      record_identifier: item_id
      event_time: event_time
      features:
        - {name: item_id, type: Integral}
        - {name: tags, type: String, collection: list}
        - {name: sizes, type: Integral, collection: set}
        - {name: vec, type: Fractional, collection: vector, dimension: 2}
        - {name: event_time, type: Timestamp}
      source: {path: "${raw_root}/emb.csv", format: csv}
      """;
  static final String EMB_CSV = """
      item_id,tags,sizes,vec,event_time
      1,"[""a""]","[2, 1]","[0.5, 1.5]",2024-03-01T00:00:00Z
      1,[],[],"[-1, 0]",2024-03-10T00:00:00Z
      2,"[""x"", ""y""]",[7],"[2, 3]",2024-03-01T00:00:00Z
      """;
  static final String SPINE = """
      item_id,ts,label
      1,2024-03-05T00:00:00Z,1
      1,2024-03-11T00:00:00Z,0
      2,2024-03-05T00:00:00Z,1
      3,2024-03-05T00:00:00Z,0
      """;

  static TestStore store(String name) {
    TestStore store = new TestStore(name).definition("emb.yaml", EMB).write("raw/emb.csv", EMB_CSV)
        .write("raw/spine.csv", SPINE);
    store.tidemark().ingest("emb").execute();
    return store;
  }

  static TrainingSetAction request(TestStore store, String features, String out, OutputFormat format) {
    return store.tidemark().trainingSet().spine(store.path("raw/spine.csv").toString(), SourceFormat.CSV)
        .spineTimeColumn("ts").features(features).label("label").output(store.path(out).toString(), format);
  }

  @Test
  void arraysInParquetAndDeltaJsonTextInCsv() throws Exception {
    TestStore store = store("ts_coll");
    request(store, "emb:*", "out/p", OutputFormat.PARQUET).execute();
    request(store, "emb:*", "out/d", OutputFormat.DELTA).execute();
    List<String> expected = List.of("[1,0,[],[],[-1.0,0.0]]", "[1,1,[\"a\"],[1,2],[0.5,1.5]]",
        "[2,1,[\"x\",\"y\"],[7],[2.0,3.0]]", "[3,0,null,null,null]");
    for (String format : List.of("parquet", "delta")) {
      assertEquals(expected, Rows.sorted(store.spark().read().format(format).load(store.path("out/" + format
          .substring(0, 1)).toString()).selectExpr("item_id", "label", "to_json(tags)", "to_json(sizes)",
          "to_json(vec)")), format);
    }
    assertEquals("array<string> array<bigint> array<double>", String.join(" ", List.of("tags", "sizes", "vec")
        .stream().map(c -> store.spark().read().parquet(store.path("out/p").toString()).schema().apply(c)
            .dataType().catalogString()).toList()));

    TrainingSetResult csv = request(store, "emb:*", "out/c", OutputFormat.CSV).singleFile(true).execute();
    List<String> lines = new ArrayList<>(Files.readAllLines(Path.of(java.net.URI.create(csv.outputFiles().get(0)))));
    lines.sort(null);
    assertEquals(List.of("1,2024-03-05T00:00:00.000000Z,1,\"[\"\"a\"\"]\",\"[1,2]\",\"[0.5,1.5]\"",
        "1,2024-03-11T00:00:00.000000Z,0,[],[],\"[-1.0,0.0]\"",
        "2,2024-03-05T00:00:00.000000Z,1,\"[\"\"x\"\",\"\"y\"\"]\",[7],\"[2.0,3.0]\"",
        "3,2024-03-05T00:00:00.000000Z,0,,,", "item_id,ts,label,tags,sizes,vec"), lines);
  }

  @Test
  void sagemakerCsvExpandsAVectorAndRefusesListsAndSets() throws Exception {
    TestStore store = store("ts_coll_sm");
    TrainingSetResult r = request(store, "emb:vec", "out/sm", OutputFormat.SAGEMAKER_CSV).execute();
    List<String> lines = new ArrayList<>();
    try (Stream<Path> files = Files.list(store.path("out/sm"))) {
      for (Path f : files.filter(p -> p.getFileName().toString().startsWith("part-")).toList()) {
        lines.addAll(Files.readAllLines(f));
      }
    }
    lines.sort(null);
    assertEquals(List.of("0,-1.0,0.0", "0,NaN,NaN", "1,0.5,1.5", "1,2.0,3.0"), lines);
    TrainingSetManifest m = TrainingSetManifest.read(r.manifest(), store.spark().sparkContext()
        .hadoopConfiguration());
    assertEquals(List.of("label bigint", "vec_0 double", "vec_1 double"),
        m.output().columns().stream().map(c -> c.name() + " " + c.type()).toList());

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> request(store, "emb:tags,vec", "out/sm2", OutputFormat.SAGEMAKER_CSV).execute());
    assertEquals("sagemaker-csv holds one number per column, and feature 'tags' is a list of String of any length; "
        + "leave it out of --features, or write this training set as parquet, delta or csv (a JSON array per cell)",
        e.getMessage());
  }
}
