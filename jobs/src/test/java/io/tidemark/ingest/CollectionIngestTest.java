package io.tidemark.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tidemark.definitions.SourceFormat;
import io.tidemark.testing.GroupYaml;
import io.tidemark.testing.TestStore;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** Lists, sets and vectors from CSV (JSON-array text), JSON and Parquet (native arrays): values and quarantine. */
class CollectionIngestTest {
  static final String ITEMS = GroupYaml.group("items", "id").eventTime("t").feature("id", "String")
      .feature("tags", "String", "collection: list, max_elements: 3").feature("sizes", "Integral", "collection: set")
      .feature("vec", "Fractional", "collection: vector, dimension: 2").feature("t", "Timestamp").csvSource().yaml();

  @Test
  void csvCellsHoldJsonArrays() {
    TestStore store = new TestStore("coll_csv").definition("items.yaml", ITEMS).write("raw/items.csv", """
        id,tags,sizes,vec,t
        a,"[""x"", ""y"", ""x""]","[3, 1, 3, 2.0]","[0.5, -1e2]",2024-05-01T00:00:00Z
        b,[],[],"[1, 2]",2024-05-01T00:00:00Z
        c,,,,2024-05-01T00:00:00Z
        d,"[""x"", null]",[],"[1, 2]",2024-05-01T00:00:00Z
        e,[],"[1, ""two""]","[1, 2]",2024-05-01T00:00:00Z
        f,[],[2.5],"[1, 2]",2024-05-01T00:00:00Z
        g,[],[99999999999999999999],"[1, 2]",2024-05-01T00:00:00Z
        h,[],[],"[1, 2, 3]",2024-05-01T00:00:00Z
        i,[],[],"[1, ""NaN""]",2024-05-01T00:00:00Z
        j,[],[],"[1, 1e999]",2024-05-01T00:00:00Z
        k,"[""a"",""b"",""c"",""d""]",[],"[1, 2]",2024-05-01T00:00:00Z
        l,not json,{},"[1, 2]",2024-05-01T00:00:00Z
        m,"[1, 2.50]",[],"[1, 2]",2024-05-01T00:00:00Z
        n,[],[],"[1, true]",2024-05-01T00:00:00Z
        """);
    IngestResult r = store.tidemark().ingest("items").execute();
    assertEquals(List.of(14L, 4L, 10L), List.of(r.rowsRead(), r.rowsWritten(), r.rowsQuarantined()));
    // a number in a String list is its JSON text as Jackson writes it (2.50 -> 2.5); a set is sorted, deduplicated
    assertEquals(List.of("[a,[\"x\",\"y\",\"x\"],[1,2,3],[0.5,-100.0]]", "[b,[],[],[1.0,2.0]]", "[c,null,null,null]",
            "[m,[\"1\",\"2.5\"],[],[1.0,2.0]]"),
        SourceFormatsTest.rows(store, "SELECT id, to_json(tags), to_json(sizes), to_json(vec) FROM " + store.database
            + ".items ORDER BY id"));
    assertEquals(List.of(
            "[d,tags: element 2 is null: '[\"x\", null]']",
            "[e,sizes: element 2 is not an Integral: '[1, \"two\"]']",
            "[f,sizes: element 1 is not a whole number: '[2.5]']",
            "[g,sizes: element 1 is out of the Integral range: '[99999999999999999999]']",
            "[h,vec: a vector of 3 elements, the dimension is 2: '[1, 2, 3]']",
            "[i,vec: element 2 is NaN or infinite: '[1, \"NaN\"]']",
            "[j,vec: element 2 is NaN or infinite: '[1, 1e999]']",
            "[k,tags: 4 elements, more than max_elements 3: '[\"a\",\"b\",\"c\",\"d\"]']",
            "[l,tags: not a JSON array: 'not json', sizes: not a JSON array: '{}']",
            "[n,vec: element 2 is not a Fractional: '[1, true]']"),
        SourceFormatsTest.rows(store, "SELECT get_json_object(raw_row, '$.id'), array_join(reasons, ', ') FROM "
            + store.database + ".items__quarantine ORDER BY 1"));
  }

  @Test
  void jsonAndParquetArraysAreNativeArrays() {
    TestStore store = new TestStore("coll_native").definition("items.yaml", ITEMS.replace("items.csv\", format: csv",
        "items.json\", format: json")).write("raw/items.json", """
        {"id": "a", "tags": ["y", "x"], "sizes": [2, 1, 2], "vec": [0.25, 1], "t": "2024-05-01T00:00:00Z"}
        {"id": "b", "tags": [], "sizes": [1, null], "vec": [1, 2], "t": "2024-05-01T00:00:00Z"}
        {"id": "c", "tags": ["z"], "sizes": [], "vec": [1], "t": "2024-05-01T00:00:00Z"}
        """);
    IngestResult json = store.tidemark().ingest("items").execute();
    assertEquals(List.of(3L, 1L, 2L), List.of(json.rowsRead(), json.rowsWritten(), json.rowsQuarantined()));

    StructType schema = new StructType().add("id", DataTypes.StringType)
        .add("tags", DataTypes.createArrayType(DataTypes.StringType))
        .add("sizes", DataTypes.createArrayType(DataTypes.IntegerType))
        .add("vec", DataTypes.createArrayType(DataTypes.FloatType)).add("t", DataTypes.TimestampType);
    Timestamp t = Timestamp.from(Instant.parse("2024-05-02T00:00:00Z"));
    store.spark().createDataFrame(List.of(
            RowFactory.create("p", List.of("b", "a").toArray(), new Integer[] {5, 4, 5}, new Float[] {0.1f, 2f}, t),
            RowFactory.create("q", new String[0], new Integer[0], new Float[] {Float.NaN, 1f}, t),
            RowFactory.create("r", new String[] {"k"}, new Integer[] {1}, new Float[] {1f, 2f, 3f}, t)), schema)
        .write().parquet(store.path("raw/items.parquet").toString());
    IngestResult parquet = store.tidemark().ingest("items")
        .source(store.path("raw/items.parquet").toString(), SourceFormat.PARQUET).execute();
    assertEquals(List.of(3L, 1L, 2L), List.of(parquet.rowsRead(), parquet.rowsWritten(),
        parquet.rowsQuarantined()));

    // a float element becomes the double of its decimal text (0.1f -> 0.1, not 0.10000000149011612)
    assertEquals(List.of("[a,[\"y\",\"x\"],[1,2],[0.25,1.0]]", "[p,[\"b\",\"a\"],[4,5],[0.1,2.0]]"),
        SourceFormatsTest.rows(store, "SELECT id, to_json(tags), to_json(sizes), to_json(vec) FROM " + store.database
            + ".items ORDER BY id"));
    assertEquals(List.of(
            "[b,sizes: element 2 is null: '[\"1\",null]']",
            "[c,vec: a vector of 1 elements, the dimension is 2: '[\"1\"]']",
            "[q,vec: element 1 is NaN or infinite: '[\"NaN\",1.0]']",
            "[r,vec: a vector of 3 elements, the dimension is 2: '[1.0,2.0,3.0]']"),
        SourceFormatsTest.rows(store, "SELECT get_json_object(raw_row, '$.id'), array_join(reasons, ', ') FROM "
            + store.database + ".items__quarantine ORDER BY 1"));
  }
}
