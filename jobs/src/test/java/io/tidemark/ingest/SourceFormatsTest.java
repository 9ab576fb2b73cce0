package io.tidemark.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tidemark.definitions.SourceFormat;
import io.tidemark.testing.TestStore;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class SourceFormatsTest {
  static final String PRODUCTS = """
      name: products
      record_identifier: product_id
      event_time: event_time
      features:
        - {name: product_id, type: String}
        - {name: price, type: Fractional}
        - {name: stock, type: Integral}
        - {name: on_sale, type: Boolean}
        - {name: event_time, type: Timestamp}
      source: {path: "${raw_root}/products.json", format: json}
      """;

  @Test
  void jsonWithTypedValuesAndAMalformedLine() {
    TestStore store = new TestStore("json").definition("products.yaml", PRODUCTS).write("raw/products.json", """
        {"product_id": "p1", "price": 9.5, "stock": 3, "on_sale": true, "event_time": "2024-05-01T00:00:00Z"}
        {"product_id": "p2", "price": 10, "stock": 4.0, "on_sale": false, "event_time": 1714521600}
        {"product_id": "p3", "price": 1.0, "stock": 2.5, "on_sale": false, "event_time": "2024-05-01T00:00:00Z"}
        {"product_id": "p4", "price": "cheap", "stock": 1, "on_sale": false, "event_time": "2024-05-01T00:00:00Z"}
        {"product_id": "p5", "price": 1.0, this is not json
        """);
    IngestResult r = store.tidemark().ingest("products").execute();
    assertEquals(List.of(5L, 2L, 3L), List.of(r.rowsRead(), r.rowsWritten(), r.rowsQuarantined()));
    assertEquals(List.of("[p1,9.5,3,true,2024-05-01 00:00:00]", "[p2,10.0,4,false,2024-05-01 00:00:00]"),
        rows(store, "SELECT product_id, price, stock, on_sale, CAST(event_time AS STRING) FROM " + store.database
            + ".products ORDER BY product_id"));
    assertEquals(List.of("[malformed record: the line could not be parsed, product_id: missing record identifier, "
            + "event_time: missing event time]",
            "[price: not a Fractional: 'cheap']", "[stock: not a whole number: '2.5']"),
        rows(store, "SELECT array_join(reasons, ', ') FROM " + store.database + ".products__quarantine ORDER BY 1"));
  }

  @Test
  void parquetAndDeltaSourcesKeepTheirTypes() {
    TestStore store = new TestStore("parquet_delta").definition("products.yaml", PRODUCTS);
    StructType schema = new StructType().add("product_id", DataTypes.StringType).add("price", DataTypes.DoubleType)
        .add("stock", DataTypes.IntegerType).add("on_sale", DataTypes.BooleanType)
        .add("event_time", DataTypes.TimestampType);
    Timestamp t = Timestamp.from(Instant.parse("2024-05-02T03:04:05Z"));
    store.spark().createDataFrame(List.of(RowFactory.create("p1", 1.25, 7, true, t),
            RowFactory.create("p2", Double.NaN, 1, false, t)), schema)
        .write().parquet(store.path("raw/products.parquet").toString());
    store.spark().createDataFrame(List.of(RowFactory.create("p9", 2.5, 1, false, t)), schema)
        .write().format("delta").save(store.path("raw/products_delta").toString());

    IngestResult fromParquet = store.tidemark().ingest("products")
        .source(store.path("raw/products.parquet").toString(), SourceFormat.PARQUET).execute();
    IngestResult fromDelta = store.tidemark().ingest("products")
        .source(store.path("raw/products_delta").toString(), SourceFormat.DELTA).execute();

    assertEquals(List.of(2L, 1L, 1L), List.of(fromParquet.rowsRead(), fromParquet.rowsWritten(),
        fromParquet.rowsQuarantined()));
    assertEquals(List.of(1L, 1L, 0L), List.of(fromDelta.rowsRead(), fromDelta.rowsWritten(),
        fromDelta.rowsQuarantined()));
    assertEquals(List.of("[p1,1.25,7,true,2024-05-02 03:04:05]", "[p9,2.5,1,false,2024-05-02 03:04:05]"),
        rows(store, "SELECT product_id, price, stock, on_sale, CAST(event_time AS STRING) FROM " + store.database
            + ".products ORDER BY product_id"));
    assertEquals(List.of("[price: NaN or infinite: 'NaN']"),
        rows(store, "SELECT array_join(reasons, ', ') FROM " + store.database + ".products__quarantine"));
  }

  @Test
  void parquetOfflineTableIsRegisteredAndPartitioned() {
    TestStore store = new TestStore("parquet_offline")
        .definition("products.yaml", PRODUCTS.replace("source:", "offline: {format: parquet}\nsource:"))
        .write("raw/products.json", """
            {"product_id": "p1", "price": 9.5, "stock": 3, "on_sale": true, "event_time": "2024-05-01T23:59:59Z"}
            {"product_id": "p1", "price": 9.0, "stock": 2, "on_sale": true, "event_time": "2024-05-02T00:00:00Z"}
            """);
    IngestResult r = store.tidemark().ingest("products").execute();
    assertEquals(java.util.Optional.empty(), r.tableVersion());
    assertEquals(List.of("[p1,9.5,2024-05-01]", "[p1,9.0,2024-05-02]"), rows(store,
        "SELECT product_id, price, CAST(event_date AS STRING) FROM " + store.database + ".products ORDER BY event_time"));
    assertEquals(List.of("[event_date=2024-05-01]", "[event_date=2024-05-02]"),
        rows(store, "SHOW PARTITIONS " + store.database + ".products"));
  }

  @Test
  void aMissingSourceOrColumnIsAClearError() {
    TestStore store = new TestStore("missing").definition("products.yaml", PRODUCTS);
    IllegalArgumentException noFile = assertThrows(IllegalArgumentException.class,
        () -> store.tidemark().ingest("products").execute());
    assertEquals(true, noFile.getMessage().startsWith("cannot read json source '" + store.path("raw/products.json")
        + "': [PATH_NOT_FOUND] Path does not exist"), noFile.getMessage());

    store.write("raw/products.json", "{\"product_id\": \"p1\", \"event_time\": \"2024-05-01T00:00:00Z\"}\n");
    IllegalArgumentException noColumn = assertThrows(IllegalArgumentException.class,
        () -> store.tidemark().ingest("products").execute());
    assertEquals("the input of group 'products' has no column 'price' for feature products.price (columns: "
        + "event_time, product_id); rename it in the source, or map it in the group's transform", noColumn.getMessage());
  }

  static List<String> rows(TestStore store, String sql) {
    return store.spark().sql(sql).collectAsList().stream().map(Row::toString).toList();
  }
}
