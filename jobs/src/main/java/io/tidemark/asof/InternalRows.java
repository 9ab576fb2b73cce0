package io.tidemark.asof;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.StructType;
import scala.reflect.ClassTag$;

/**
 * A plan's rows as Spark's operators exchange them, and a DataFrame over such rows: the as-of merge reads and
 * writes them without converting every row to Java objects and back ({@code ./bench pit} measures the merge). Not
 * Spark's public API: on Spark 3.5 these are members of {@code Dataset} and {@code SparkSession}, on Spark 4.0 of
 * their classic implementations, so they are looked up by name on the runtime classes.
 */
final class InternalRows {
  private InternalRows() {}

  /** The rows of {@code rows}'s plan; an iterator over them may reuse one row object. */
  @SuppressWarnings("unchecked")
  static JavaRDD<InternalRow> of(Dataset<Row> rows) {
    Object execution = call(rows, "queryExecution", new Class<?>[0]);
    RDD<InternalRow> rdd = (RDD<InternalRow>) call(execution, "toRdd", new Class<?>[0]);
    return JavaRDD.fromRDD(rdd, ClassTag$.MODULE$.apply(InternalRow.class));
  }

  /** A DataFrame of {@code schema} over internal rows (each row's values in Spark's internal types). */
  @SuppressWarnings("unchecked")
  static Dataset<Row> toDataFrame(SparkSession spark, JavaRDD<InternalRow> rows, StructType schema) {
    return (Dataset<Row>) call(spark, "internalCreateDataFrame",
        new Class<?>[] {RDD.class, StructType.class, boolean.class}, rows.rdd(), schema, false);
  }

  private static Object call(Object target, String name, Class<?>[] types, Object... args) {
    try {
      Method m = target.getClass().getMethod(name, types);
      return m.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("this Spark (" + target.getClass().getName() + ") has no " + name
          + ", which the as-of join needs; Tidemark supports Spark 3.5 and 4.0", e);
    }
  }
}
