package io.tidemark.online.dynamo;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Sizes items as DynamoDB does: against its item limit, and in write capacity units. */
public final class ItemSize {
  /** DynamoDB's item size limit: 400 KB including attribute names. */
  public static final int MAX_ITEM_BYTES = 400 * 1024;

  private ItemSize() {}

  /**
   * The item's size by DynamoDB's rules (names + values; a number counts as 1 byte per 2 significant digits + 1),
   * rounded up so that an item near the limit is reported rather than rejected.
   */
  public static int of(Map<String, AttributeValue> item) {
    int bytes = 0;
    for (Map.Entry<String, AttributeValue> e : item.entrySet()) {
      bytes += utf8(e.getKey());
      bytes += size(e.getValue());
    }
    return bytes;
  }

  /** One attribute value's size: a list adds 3 bytes and 1 per element, a set the sum of its elements. */
  private static int size(AttributeValue v) {
    if (v.s() != null) {
      return utf8(v.s());
    } else if (v.n() != null) {
      return numberSize(v.n());
    } else if (v.b() != null) {
      return v.b().asByteArrayUnsafe().length;
    } else if (v.hasSs()) {
      return v.ss().stream().mapToInt(ItemSize::utf8).sum();
    } else if (v.hasNs()) {
      return v.ns().stream().mapToInt(ItemSize::numberSize).sum();
    } else if (v.hasL()) {
      int bytes = 3;
      for (AttributeValue e : v.l()) {
        bytes += 1 + size(e);
      }
      return bytes;
    }
    return 1;
  }

  private static int numberSize(String n) {
    return (n.length() + 1) / 2 + 1;
  }

  private static int utf8(String s) {
    int n = s.length();
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) >= 0x80) {
        return s.getBytes(StandardCharsets.UTF_8).length;
      }
    }
    return n;
  }

  /** Write capacity units an item uses: 1 per started KB. */
  public static int writeUnits(int bytes) {
    return Math.max(1, (bytes + 1023) / 1024);
  }
}
