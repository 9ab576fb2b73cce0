package io.tidemark.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tidemark.definitions.FeatureRegistry;
import io.tidemark.definitions.FeatureType;
import io.tidemark.testing.TestStore;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Search over definitions: which features match, in which order, with which score; no Spark. */
class FeatureSearchTest {
  private static final String CUSTOMERS = """
      name: customers
      description: Customer profile, one record per profile change
      owner: growth-ml@example.com
      tags: {domain: customers, pii: "false"}
      record_identifier: customer_id
      event_time: event_time
      features:
        - {name: customer_id, type: String, description: Stable customer identifier}
        - {name: avg_order_value, type: Fractional, description: Mean order value in USD}
        - {name: orders, type: Integral, description: Orders placed so far}
        - {name: tier, type: String, description: Membership tier}
        - {name: event_time, type: Timestamp, description: When the profile changed}
      """;
  private static final String ORDERS = """
      name: order_stats
      description: Rolling order statistics per product
      owner: catalog-ml@example.com
      tags: {domain: catalog}
      record_identifier: product_id
      event_time: event_time
      features:
        - {name: product_id, type: String, description: The product}
        - {name: order_count_7d, type: Integral, description: Orders of the product in 7 days}
        - {name: revenue_7d, type: Fractional, description: Value sold in 7 days}
        - {name: event_time, type: Timestamp}
      """;

  private static FeatureRegistry registry() {
    return new TestStore("search").definition("customers.yaml", CUSTOMERS).definition("order_stats.yaml", ORDERS)
        .registry();
  }

  /** Each hit as group.feature:score:matched fields. */
  private static List<String> hits(FeatureSearch search) {
    return search.run().stream().map(h -> h.qualifiedName() + ":" + h.score() + ":" + h.matched()).toList();
  }

  @Test
  void wordsInNamesOutrankWordsInDescriptionsAndEveryWordMustMatch() {
    FeatureRegistry r = registry();
    // "order": a whole word of avg_order_value's name (8 + 2), part of the name orders and order_count_7d (8; order_
    // count's whole word too: 10), the group name order_stats (4), descriptions (2)
    assertEquals(List.of(
        "customers.avg_order_value:10:[name]",
        "order_stats.order_count_7d:10:[name]",
        "customers.orders:8:[name]",
        "order_stats.event_time:4:[group]",
        "order_stats.product_id:4:[group]",
        "order_stats.revenue_7d:4:[group]"), hits(FeatureSearch.in(r).text("order")));
    // both words must match: "value" is in avg_order_value's name (10), in revenue_7d's description (2)
    assertEquals(List.of(
        "customers.avg_order_value:20:[name]",
        "order_stats.revenue_7d:6:[description, group]"), hits(FeatureSearch.in(r).text("Order VALUE")));
    // tags and owners count as well; nothing matches a word found nowhere
    assertEquals(List.of("customers.tier:14:[group, name]"), hits(FeatureSearch.in(r).text("tier customers")));
    assertEquals(List.of("customers.tier:13:[name, owner]"), hits(FeatureSearch.in(r).text("tier growth")));
    assertEquals(List.of("order_stats.revenue_7d:13:[name, tag domain]"),
        hits(FeatureSearch.in(r).text("revenue catalog")));
    assertEquals(List.of(), hits(FeatureSearch.in(r).text("tier embedding")));
  }

  @Test
  void filtersAloneOrWithText() {
    FeatureRegistry r = registry();
    assertEquals(List.of("order_stats.order_count_7d:0:[]", "customers.orders:0:[]").stream().sorted().toList(),
        hits(FeatureSearch.in(r).type(FeatureType.INTEGRAL)).stream().sorted().toList());
    assertEquals(List.of("customers.orders:0:[]"),
        hits(FeatureSearch.in(r).type(FeatureType.INTEGRAL).tag("DOMAIN", "Customers")));
    assertEquals(List.of("order_stats.revenue_7d:2:[description]"),
        hits(FeatureSearch.in(r).text("sold").owner("catalog-ml")));
    assertEquals(List.of(), hits(FeatureSearch.in(r).text("sold").owner("growth")));
    assertEquals(List.of("customers.event_time:2:[description]"),
        hits(FeatureSearch.in(r).text("changed").group("customers")));
    // every feature, ranked by name when all score 0
    assertEquals(9, FeatureSearch.in(r).run().size());
    RuntimeException unknown = assertThrows(io.tidemark.BadRequestException.class,
        () -> FeatureSearch.in(r).group("customer"));
    assertEquals(true, unknown.getMessage().startsWith("no feature group 'customer'"), unknown.getMessage());
  }
}
