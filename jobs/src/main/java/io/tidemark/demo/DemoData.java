package io.tidemark.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Generates the demo's raw data, deterministically: a CRM export of user profiles (profiles.csv), a product
 * catalogue (catalog.json), product reviews (reviews.csv), purchase transactions (transactions.csv) and product
 * embeddings (product_embeddings.json, a vector feature), spread over
 * six weeks, with a few bad rows a real export has. Files are rewritten only when their content changes, so
 * re-running the demo re-ingests nothing.
 *
 * <p>A purchase's {@code returned} label is learnable from the features a point-in-time training set gives it: it
 * is drawn with the probability {@link #returnProbability} of the product's list price and category and of the
 * buyer's age and membership tier as of the purchase, so a model on those features beats guessing by a wide margin
 * (AUC about 0.85 at best: the draw is the noise).
 */
public final class DemoData {
  public static final Instant START = Instant.parse("2024-03-01T00:00:00Z");
  public static final Duration SPAN = Duration.ofDays(42);
  private static final String[] TIERS = {"bronze", "silver", "gold", "platinum"};
  private static final String[] CATEGORIES = {"books", "electronics", "garden", "kitchen", "toys", "sports"};

  /** How many rows of each file, and how many of them are deliberately bad. */
  public record Counts(int users, int badUsers, int products, int badProducts, int transactions, int reviews,
      int productEmbeddings) {}

  private DemoData() {}

  public static Counts generate(Path rawDir, int userCount, int productCount, int transactionCount, long seed) {
    Random rnd = new Random(seed);
    List<String> users = new ArrayList<>();
    users.add("user_id,age,tier,updated_at");
    int[] ages = new int[userCount + 1];
    List<List<Instant>> tierTimes = new ArrayList<>();   // per user: when each profile version became true
    List<List<Integer>> tiers = new ArrayList<>();       // and its tier (index into TIERS)
    tierTimes.add(List.of());
    tiers.add(List.of());
    for (int u = 1; u <= userCount; u++) {
      int versions = 1 + rnd.nextInt(3);
      int age = 18 + rnd.nextInt(60);
      int tier = rnd.nextInt(2);
      ages[u] = age;
      tierTimes.add(new ArrayList<>());
      tiers.add(new ArrayList<>());
      for (int v = 0; v < versions; v++) {
        Instant t = START.plusSeconds((long) (rnd.nextDouble() * SPAN.getSeconds() * (v + 1) / versions));
        String time = rnd.nextInt(5) == 0 ? String.valueOf(t.getEpochSecond()) : t.toString();
        users.add(String.format(Locale.ROOT, "u%04d,%d,%s,%s", u, age, TIERS[Math.min(3, tier + v)], time));
        tierTimes.get(u).add(Instant.ofEpochSecond(t.getEpochSecond()));   // as ingested (whole seconds)
        tiers.get(u).add(Math.min(3, tier + v));
      }
    }
    int goodUsers = users.size() - 1;
    users.add("u9001,unknown,gold,2024-03-10T10:00:00Z");
    users.add("u9002,33,silver,");
    users.add("u9003,41,bronze,2024-03-11 08:30:00");
    users.add(",29,gold,2024-03-12T09:00:00Z");

    List<String> products = new ArrayList<>();
    double[] listPrices = new double[productCount + 1];
    String[] categories = new String[productCount + 1];
    for (int p = 1; p <= productCount; p++) {
      int versions = 1 + rnd.nextInt(3);
      double price = 2 + rnd.nextInt(50000) / 100.0;
      String category = CATEGORIES[rnd.nextInt(CATEGORIES.length)];
      listPrices[p] = price;
      categories[p] = category;
      for (int v = 0; v < versions; v++) {
        Instant t = START.plusSeconds((long) (rnd.nextDouble() * SPAN.getSeconds() * (v + 1) / versions));
        products.add(String.format(Locale.ROOT,
            "{\"product_id\":\"p%03d\",\"category\":\"%s\",\"price\":%.2f,\"stock_level\":%d,"
                + "\"updated_at\":\"%s\"}", p, category, price * (1 - 0.05 * v), rnd.nextInt(500), t));
      }
    }
    int goodProducts = products.size();
    products.add("{\"product_id\":\"p901\",\"category\":\"toys\",\"price\":\"free\","
        + "\"stock_level\":3,\"updated_at\":\"2024-03-05T00:00:00Z\"}");
    products.add("{\"product_id\":\"p902\",\"category\":\"toys\",\"price\":9.99,"
        + "\"stock_level\":2.5,\"updated_at\":\"2024-03-05T00:00:00Z\"}");

    List<String> reviews = new ArrayList<>();
    reviews.add("product_id,rating,reviewed_at");
    int reviewCount = productCount * 8;
    for (int i = 0; i < reviewCount; i++) {
      Instant t = START.plusSeconds((long) (rnd.nextDouble() * SPAN.getSeconds()));
      reviews.add(String.format(Locale.ROOT, "p%03d,%d,%s", 1 + rnd.nextInt(productCount), 1 + rnd.nextInt(5), t));
    }

    List<String> transactions = new ArrayList<>();
    transactions.add("transaction_id,user_id,product_id,amount,quantity,purchased_at,returned");
    Random labels = new Random(seed ^ 0x2E7D2L);
    for (int i = 1; i <= transactionCount; i++) {
      Instant t = START.plusSeconds((long) (rnd.nextDouble() * SPAN.getSeconds()));
      int quantity = 1 + rnd.nextInt(3);
      int user = 1 + rnd.nextInt(userCount);
      int product = 1 + rnd.nextInt(productCount);
      double amount = quantity * (2 + rnd.nextInt(30000) / 100.0);
      // (digit + a second uniform number) / 10 is uniform in [0, 1); drawing the digit as before keeps every other
      // column of every file what it was when the label was a 1-in-10 draw of its own
      double uniform = (rnd.nextInt(10) + labels.nextDouble()) / 10;
      boolean returned = uniform < returnProbability(listPrices[product], categories[product], ages[user],
          tierAsOf(tierTimes.get(user), tiers.get(user), t));
      transactions.add(String.format(Locale.ROOT, "t%06d,u%04d,p%03d,%.2f,%d,%s,%s", i, user, product, amount,
          quantity, t, returned));
    }
    transactions.add("t999999,u0001,p001,n/a,1,2024-03-20T10:00:00Z,false");
    List<String> embeddings = embeddings(productCount, seed);
    writeIfChanged(rawDir.resolve("profiles.csv"), users);
    writeIfChanged(rawDir.resolve("catalog.json"), products);
    writeIfChanged(rawDir.resolve("reviews.csv"), reviews);
    writeIfChanged(rawDir.resolve("transactions.csv"), transactions);
    writeIfChanged(rawDir.resolve("product_embeddings.json"), embeddings);
    return new Counts(goodUsers + 4, 4, goodProducts + 2, 2, transactionCount + 1, reviewCount, embeddings.size());
  }

  /**
   * The chance that a purchase is returned: a logistic function of the product's list price (USD 2 to 502) and
   * category and of the buyer's age and membership tier when buying (-1 before their first profile version). Expensive
   * products, electronics and toys, and younger buyers return more; gold and platinum members less. About one
   * purchase in five is returned.
   */
  private static double returnProbability(double listPrice, String category, int age, int tier) {
    double z = -2.0 + 2.5 * (listPrice - 252) / 250 - 1.5 * (age - 47.5) / 30
        + (category.equals("electronics") ? 1.0 : category.equals("toys") ? 0.6 : 0)
        - (tier >= 2 ? 0.8 : 0);
    return 1 / (1 + Math.exp(-z));
  }

  /** The tier of the profile version in force at {@code t} (the latest at or before it), -1 before the first. */
  private static int tierAsOf(List<Instant> times, List<Integer> tiers, Instant t) {
    int tier = -1;
    Instant best = null;
    for (int v = 0; v < times.size(); v++) {
      if (!times.get(v).isAfter(t) && (best == null || !times.get(v).isBefore(best))) {
        best = times.get(v);
        tier = tiers.get(v);
      }
    }
    return tier;
  }

  /**
   * One unit-length 4-number embedding per product (product_embeddings.json), plus one of the wrong length. Its own
   * random numbers, so the other files stay what they were before embeddings existed.
   */
  private static List<String> embeddings(int productCount, long seed) {
    Random rnd = new Random(seed ^ 0x5EEDL);
    List<String> lines = new ArrayList<>();
    for (int p = 1; p <= productCount; p++) {
      double[] v = new double[4];
      double norm = 0;
      for (int i = 0; i < v.length; i++) {
        v[i] = rnd.nextGaussian();
        norm += v[i] * v[i];
      }
      List<String> parts = new ArrayList<>();
      for (double x : v) {
        parts.add(String.format(Locale.ROOT, "%.4f", x / Math.sqrt(norm)));
      }
      lines.add(String.format(Locale.ROOT, "{\"product_id\":\"p%03d\",\"embedding\":[%s],\"event_time\":\"%s\"}", p,
          String.join(",", parts), START.plus(SPAN)));
    }
    lines.add("{\"product_id\":\"p903\",\"embedding\":[0.5,0.5,0.5],\"event_time\":\"" + START.plus(SPAN) + "\"}");
    return lines;
  }

  private static void writeIfChanged(Path file, List<String> lines) {
    byte[] bytes = (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
    try {
      Files.createDirectories(file.getParent());
      if (Files.exists(file) && java.util.Arrays.equals(Files.readAllBytes(file), bytes)) {
        return;
      }
      Files.write(file, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write demo data " + file, e);
    }
  }
}
