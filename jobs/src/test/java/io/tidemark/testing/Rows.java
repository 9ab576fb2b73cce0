package io.tidemark.testing;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** Rows as text for exact assertions: {@code [v1,v2,...]}, timestamps as UTC instants (not the JVM's zone). */
public final class Rows {
  private Rows() {}

  public static String text(Row r) {
    List<String> cells = new ArrayList<>();
    for (int i = 0; i < r.size(); i++) {
      Object v = r.get(i);
      cells.add(v instanceof java.sql.Timestamp t ? t.toInstant().toString() : String.valueOf(v));
    }
    return "[" + String.join(",", cells) + "]";
  }

  /** Every row of {@code rows} as {@link #text}, sorted. */
  public static List<String> sorted(Dataset<Row> rows) {
    return rows.collectAsList().stream().map(Rows::text).sorted().toList();
  }
}
