package io.tidemark.online.dynamo;

import io.tidemark.definitions.FeatureType;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Converts records to DynamoDB items of an {@link ItemSchema} and back ({@link ItemSize} sizes them). */
public final class ItemCodec {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
      .withZone(ZoneOffset.UTC);
  // DynamoDB numbers: magnitude 1E-130 to 9.99...E+125
  private static final BigDecimal MAX_NUMBER = new BigDecimal("1E126");
  private static final BigDecimal MIN_NUMBER = new BigDecimal("1E-130");

  private ItemCodec() {}

  /** The text of a time in items: UTC, microseconds, fixed width. */
  public static String time(Instant t) {
    return TIME.format(t);
  }

  public static Instant parseTime(String text) {
    // the fixed-width text Tidemark writes, read without the formatter (it dominated decoding a batch of items)
    if (text.length() == 27 && text.charAt(4) == '-' && text.charAt(7) == '-' && text.charAt(10) == 'T'
        && text.charAt(13) == ':' && text.charAt(16) == ':' && text.charAt(19) == '.' && text.charAt(26) == 'Z') {
      int year = digits(text, 0, 4);
      int month = digits(text, 5, 7);
      int day = digits(text, 8, 10);
      int hour = digits(text, 11, 13);
      int minute = digits(text, 14, 16);
      int second = digits(text, 17, 19);
      int micros = digits(text, 20, 26);
      if (year >= 0 && month >= 1 && month <= 12 && day >= 1 && hour >= 0 && hour < 24 && minute >= 0
          && minute < 60 && second >= 0 && second < 60 && micros >= 0) {
        long epochDay = LocalDate.of(year, month, day).toEpochDay(); // checks the day of the month
        return Instant.ofEpochSecond(epochDay * 86_400 + hour * 3_600L + minute * 60L + second, micros * 1_000L);
      }
    }
    return Instant.from(TIME.parse(text));
  }

  /** The decimal number in text[from, to), or -1 when a character is not a digit. */
  private static int digits(String text, int from, int to) {
    int n = 0;
    for (int i = from; i < to; i++) {
      int d = text.charAt(i) - '0';
      if (d < 0 || d > 9) {
        return -1;
      }
      n = n * 10 + d;
    }
    return n;
  }

  /** An instant from what Spark rows hold for timestamps. */
  public static Instant instant(Object value) {
    return value instanceof Timestamp ts ? ts.toInstant() : (Instant) value;
  }

  /** The key attribute of a record identifier value. */
  public static AttributeValue key(ItemSchema schema, Object id) {
    return schema.keyType() == FeatureType.INTEGRAL
        ? AttributeValue.builder().n(Long.toString(((Number) id).longValue())).build()
        : AttributeValue.builder().s(id.toString()).build();
  }

  /**
   * An item. {@code values} are in {@link ItemSchema#values()} order, as Spark rows hold them (null allowed).
   *
   * @throws IllegalArgumentException for a number DynamoDB cannot store (says which record and feature)
   */
  public static Map<String, AttributeValue> item(ItemSchema schema, Object id, Instant eventTime, Instant writeTime,
      Object[] values) {
    Map<String, AttributeValue> item = new HashMap<>(values.length * 2 + 8);
    item.put(schema.key(), key(schema, id));
    for (int i = 0; i < values.length; i++) {
      ItemSchema.Attribute a = schema.values().get(i);
      item.put(a.name(), value(schema, id, a, values[i]));
    }
    item.put(ItemSchema.EVENT_TIME, AttributeValue.builder().s(time(eventTime)).build());
    item.put(ItemSchema.WRITE_TIME, AttributeValue.builder().s(time(writeTime)).build());
    if (schema.hasTtl()) {
      long expires = eventTime.getEpochSecond() + schema.ttlSeconds();
      item.put(ItemSchema.EXPIRES_AT, AttributeValue.builder().n(Long.toString(expires)).build());
    }
    return item;
  }

  private static AttributeValue value(ItemSchema schema, Object id, ItemSchema.Attribute a, Object v) {
    if (v == null) {
      return AttributeValue.builder().nul(true).build();
    }
    if (a.collection() != null) {
      return collection(schema, id, a, elements(v));
    }
    return scalar(schema, id, a, v);
  }

  private static AttributeValue scalar(ItemSchema schema, Object id, ItemSchema.Attribute a, Object v) {
    return switch (a.type()) {
      case STRING -> AttributeValue.builder().s((String) v).build();
      case INTEGRAL -> AttributeValue.builder().n(Long.toString(((Number) v).longValue())).build();
      case FRACTIONAL -> AttributeValue.builder().n(fractional(schema, id, a, ((Number) v).doubleValue())).build();
      case BOOLEAN -> AttributeValue.builder().bool((Boolean) v).build();
      case TIMESTAMP -> AttributeValue.builder().s(time(instant(v))).build();
    };
  }

  /** A list as L, a set as SS / NS (an empty one as an empty L), a vector as B (big-endian doubles). */
  private static AttributeValue collection(ItemSchema schema, Object id, ItemSchema.Attribute a, List<?> elements) {
    switch (a.collection().kind()) {
      case LIST -> {
        List<AttributeValue> l = new ArrayList<>(elements.size());
        elements.forEach(e -> l.add(e == null ? AttributeValue.builder().nul(true).build() : scalar(schema, id, a, e)));
        return AttributeValue.builder().l(l).build();
      }
      case SET -> {
        if (elements.isEmpty()) {
          return AttributeValue.builder().l(List.of()).build();
        }
        // DynamoDB refuses duplicates in a set, compared as numbers (0.0 and -0.0 are one)
        Set<String> texts = new LinkedHashSet<>();
        for (Object e : elements) {
          texts.add(a.type() == FeatureType.STRING ? (String) e : a.type() == FeatureType.INTEGRAL
              ? Long.toString(((Number) e).longValue()) : fractional(schema, id, a, ((Number) e).doubleValue() + 0.0));
        }
        return a.type() == FeatureType.STRING ? AttributeValue.builder().ss(texts).build()
            : AttributeValue.builder().ns(texts).build();
      }
      case VECTOR -> {
        ByteBuffer buffer = ByteBuffer.allocate(8 * elements.size());
        for (Object e : elements) {
          double d = ((Number) e).doubleValue();
          if (Double.isNaN(d) || Double.isInfinite(d)) {
            throw new IllegalArgumentException("feature " + schema.group() + "." + a.name() + " of record " + id
                + " holds " + d + "; fix the offline row (ingest rejects such values)");
          }
          buffer.putDouble(d);
        }
        return AttributeValue.builder().b(SdkBytes.fromByteArray(buffer.array())).build();
      }
      default -> throw new IllegalStateException(a.collection().kind().name());
    }
  }

  /** The elements of a collection value as Spark rows hold it (a Scala Seq) or as Java code does. */
  static List<?> elements(Object v) {
    List<?> elements = io.tidemark.asof.RecordOrder.elements(v);
    if (elements == null) {
      throw new IllegalArgumentException("not a collection value: " + v.getClass().getName());
    }
    return elements;
  }

  /**
   * A value as Spark rows hold it, typed as {@link #decode} returns it (a collection: {@code List}, a sorted
   * {@code Set}, or {@code double[]} for a vector), so offline and online values compare with
   * {@link java.util.Objects#deepEquals}.
   */
  public static Object typedValue(ItemSchema.Attribute a, Object v) {
    if (v == null) {
      return null;
    }
    if (v instanceof Timestamp || v instanceof Instant) {
      return instant(v);
    }
    if (a.collection() == null) {
      return v;
    }
    List<?> elements = elements(v);
    return switch (a.collection().kind()) {
      case LIST -> List.copyOf(elements);
      case SET -> sortedSet(a.type(), new ArrayList<Object>(elements));
      case VECTOR -> elements.stream().mapToDouble(e -> ((Number) e).doubleValue()).toArray();
    };
  }

  /** A set in Spark's order (strings by code point, numbers ascending), as ingest normalizes sets. */
  private static Set<Object> sortedSet(FeatureType type, List<Object> elements) {
    elements.sort(io.tidemark.asof.RecordOrder::compareValues);
    return Collections.unmodifiableSet(new LinkedHashSet<>(elements));
  }

  private static String fractional(ItemSchema schema, Object id, ItemSchema.Attribute a, double d) {
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      throw new IllegalArgumentException("feature " + schema.group() + "." + a.name() + " of record " + id + " is "
          + d + ", which DynamoDB cannot store; fix the offline row (ingest rejects such values)");
    }
    BigDecimal b = BigDecimal.valueOf(d);
    BigDecimal abs = b.abs();
    if (b.signum() != 0 && (abs.compareTo(MAX_NUMBER) >= 0 || abs.compareTo(MIN_NUMBER) < 0)) {
      throw new IllegalArgumentException("feature " + schema.group() + "." + a.name() + " of record " + id + " is "
          + d + ", outside DynamoDB's number range (1E-130 to 9.99E+125 in magnitude)");
    }
    // Double.toString is the shortest text that parses back to the same double
    return Double.toString(d);
  }

  /** An item's record id, typed as the schema's key. */
  public static Object id(ItemSchema schema, Map<String, AttributeValue> item) {
    AttributeValue k = item.get(schema.key());
    return schema.keyType() == FeatureType.INTEGRAL ? (Object) Long.parseLong(k.n()) : k.s();
  }

  /**
   * The typed values of {@code features} (in definition order) in an item, the id and event time included; null
   * for NULL or missing attributes.
   */
  public static Map<String, Object> values(ItemSchema schema, Map<String, AttributeValue> item,
      Iterable<String> features) {
    List<ItemSchema.Attribute> attributes = schema.values();
    Map<String, Object> values = new LinkedHashMap<>();
    int next = 0; // features come in definition order, like the attributes: one pass finds each one's type
    for (String f : features) {
      if (f.equals(schema.key())) {
        values.put(f, id(schema, item));
      } else if (f.equals(schema.eventTimeFeature())) {
        values.put(f, parseTime(item.get(ItemSchema.EVENT_TIME).s()));
      } else {
        int at = indexOf(attributes, f, next);
        next = at + 1;
        values.put(f, typed(attributes.get(at), item.get(f)));
      }
    }
    return values;
  }

  private static int indexOf(List<ItemSchema.Attribute> attributes, String name, int from) {
    for (int i = from; i < attributes.size(); i++) {
      if (attributes.get(i).name().equals(name)) {
        return i;
      }
    }
    for (int i = 0; i < from; i++) {
      if (attributes.get(i).name().equals(name)) {
        return i;
      }
    }
    throw new IllegalArgumentException("no value feature " + name + " among " + attributes);
  }

  private static Object typed(ItemSchema.Attribute a, AttributeValue v) {
    if (v == null || Boolean.TRUE.equals(v.nul())) {
      return null;
    }
    if (a.collection() == null) {
      return typed(a.type(), v);
    }
    return switch (a.collection().kind()) {
      case LIST -> Collections.unmodifiableList(v.l().stream().map(e -> typed(a.type(), e)).toList());
      // DynamoDB returns a set's elements in any order; an empty set is stored as an empty L
      case SET -> sortedSet(a.type(), new ArrayList<>((v.hasSs() ? v.ss() : v.hasNs() ? v.ns() : List.<String>of())
          .stream().map(t -> (Object) (a.type() == FeatureType.STRING ? t : a.type() == FeatureType.INTEGRAL
              ? (Object) Long.parseLong(t) : (Object) Double.parseDouble(t))).toList()));
      case VECTOR -> {
        ByteBuffer buffer = v.b().asByteBuffer();
        double[] d = new double[buffer.remaining() / 8];
        for (int i = 0; i < d.length; i++) {
          d[i] = buffer.getDouble();
        }
        yield d;
      }
    };
  }

  private static Object typed(FeatureType type, AttributeValue v) {
    if (v == null || Boolean.TRUE.equals(v.nul())) {
      return null;
    }
    return switch (type) {
      case STRING -> v.s();
      case INTEGRAL -> Long.parseLong(v.n());
      case FRACTIONAL -> Double.parseDouble(v.n());
      case BOOLEAN -> v.bool();
      case TIMESTAMP -> parseTime(v.s());
    };
  }
}
