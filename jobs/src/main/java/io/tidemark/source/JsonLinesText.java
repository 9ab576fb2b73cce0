package io.tidemark.source;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * JSON Lines with every top-level value as the text it was written as: {@code 1e20} stays {@code 1e20} and
 * {@code 42.50} stays {@code 42.50}, where Spark's JSON reader passes numbers through a double ({@code 1.0E20}).
 * Spark infers the columns (names, nested types, partition columns of the folders); each line is then read with
 * Jackson's streaming parser: a scalar is its source text, an object or array its JSON text, parsed into the
 * inferred type with {@code from_json}. A line that is not one JSON object fills {@link SourceReader#CORRUPT_RECORD};
 * blank lines are skipped, as Spark does.
 */
final class JsonLinesText {
  private JsonLinesText() {}

  static Dataset<Row> read(SparkSession spark, String path, StructType inferred) {
    Dataset<Row> text = spark.read().text(path);
    List<String> partitionColumns = Arrays.stream(text.columns()).filter(c -> !c.equals("value")).toList();
    List<StructField> jsonFields = Arrays.stream(inferred.fields())
        .filter(f -> !f.name().equals(SourceReader.CORRUPT_RECORD) && !partitionColumns.contains(f.name()))
        .toList();
    String[] names = jsonFields.stream().map(StructField::name).toArray(String[]::new);
    StructType raw = new StructType();
    for (String n : names) {
      raw = raw.add(n, DataTypes.StringType, true);
    }
    raw = raw.add(SourceReader.CORRUPT_RECORD, DataTypes.StringType, true);
    StructType textSchema = text.schema();
    for (String p : partitionColumns) {
      raw = raw.add(textSchema.apply(p));
    }
    int valueIndex = textSchema.fieldIndex("value");
    int[] partitionIndexes = partitionColumns.stream().mapToInt(textSchema::fieldIndex).toArray();
    Dataset<Row> parsed = text.mapPartitions(new Lines(names, valueIndex, partitionIndexes), Encoders.row(raw));
    List<Column> columns = new ArrayList<>();
    for (StructField f : jsonFields) {
      Column c = functions.col(io.tidemark.util.Sql.quote(f.name()));
      columns.add((f.dataType() instanceof StringType ? c : functions.from_json(c, f.dataType())).as(f.name()));
    }
    columns.add(functions.col(SourceReader.CORRUPT_RECORD));
    partitionColumns.forEach(p -> columns.add(functions.col(io.tidemark.util.Sql.quote(p))));
    return parsed.select(columns.toArray(Column[]::new));
  }

  /** One line to the source text of each top-level field (null when absent), plus the line when it is malformed. */
  private static final class Lines implements MapPartitionsFunction<Row, Row> {
    private final String[] names;
    private final int valueIndex;
    private final int[] partitionIndexes;

    Lines(String[] names, int valueIndex, int[] partitionIndexes) {
      this.names = names;
      this.valueIndex = valueIndex;
      this.partitionIndexes = partitionIndexes;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> input) {
      JsonFactory factory = new JsonFactory();
      java.util.Map<String, Integer> index = new java.util.HashMap<>();
      for (int i = 0; i < names.length; i++) {
        index.put(names[i], i);
      }
      List<Row> out = new ArrayList<>();
      return new Iterator<>() {
        private Row next = advance();

        private Row advance() {
          while (input.hasNext()) {
            Row r = input.next();
            String line = r.getString(valueIndex);
            if (line == null || line.isBlank()) {
              continue;
            }
            Object[] values = new Object[names.length + 1 + partitionIndexes.length];
            if (!parse(factory, line, index, values)) {
              Arrays.fill(values, 0, names.length, null);
              values[names.length] = line;
            }
            for (int i = 0; i < partitionIndexes.length; i++) {
              values[names.length + 1 + i] = r.get(partitionIndexes[i]);
            }
            return RowFactory.create(values);
          }
          return null;
        }

        @Override
        public boolean hasNext() {
          return next != null;
        }

        @Override
        public Row next() {
          Row r = next;
          next = advance();
          return r;
        }
      };
    }

    private static boolean parse(JsonFactory factory, String line, java.util.Map<String, Integer> index,
        Object[] values) {
      try (JsonParser p = factory.createParser(line)) {
        if (p.nextToken() != JsonToken.START_OBJECT) {
          return false;
        }
        for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
          if (t != JsonToken.FIELD_NAME) {
            return false;
          }
          Integer i = index.get(p.currentName());
          JsonToken v = p.nextToken();
          String text;
          if (v == JsonToken.START_OBJECT || v == JsonToken.START_ARRAY) {
            int start = (int) p.currentTokenLocation().getCharOffset();
            p.skipChildren();
            text = line.substring(start, (int) p.currentLocation().getCharOffset());
          } else if (v == JsonToken.VALUE_NULL) {
            text = null;
          } else if (v != null && v.isScalarValue()) {
            text = p.getText();
          } else {
            return false;
          }
          if (i != null) {
            values[i] = text;
          }
        }
        return p.nextToken() == null;
      } catch (IOException e) {
        return false;
      }
    }
  }
}
