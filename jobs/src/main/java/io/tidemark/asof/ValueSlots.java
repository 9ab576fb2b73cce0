package io.tidemark.asof;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.types.DataType;

/**
 * Where the sources of one pass carry their values through the shuffle: typed slots shared by the sources (a
 * history row holds one source's values), so the rows are as wide as the widest source, not as all sources
 * together (the merge reads a slot as the row's own source's column). A source's columns of one type take that
 * type's slots in order: its order values, then outputs not among them.
 */
final class ValueSlots {
  final List<DataType> types = new ArrayList<>();
  private final List<Map<String, Integer>> slotOf = new ArrayList<>();

  ValueSlots(List<AsOfSource> pass) {
    for (AsOfSource s : pass) {
      List<String> carried = new ArrayList<>(s.orderValues());
      s.outputs().stream().filter(c -> !carried.contains(c)).forEach(carried::add);
      Map<String, Integer> slots = new LinkedHashMap<>();
      Map<DataType, Integer> used = new HashMap<>();
      for (String c : carried) {
        DataType t = s.history().schema().apply(c).dataType();
        int nth = used.merge(t, 1, Integer::sum);
        int slot = -1;
        for (int i = 0, seen = 0; i < types.size() && slot < 0; i++) {
          if (types.get(i).equals(t) && ++seen == nth) {
            slot = i;
          }
        }
        if (slot < 0) {
          types.add(t);
          slot = types.size() - 1;
        }
        slots.put(c, slot);
      }
      slotOf.add(slots);
    }
  }

  /** The slot column holding source {@code g}'s {@code column}. */
  String column(int g, String column) {
    return MergeLayout.valueColumn(slotOf.get(g).get(column));
  }

  /** Source {@code g}'s column in {@code slot}, or null when the source has none there. */
  String sourceColumn(int g, int slot) {
    return slotOf.get(g).entrySet().stream().filter(e -> e.getValue() == slot).map(Map.Entry::getKey)
        .findFirst().orElse(null);
  }
}
