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
    for (int u = 1; u <= userCount; u++) {
      int versions = 1 + rnd.nextInt(3);
      int age = 18 + rnd.nextInt(60);
      int tier = rnd.nextInt(2);
      for (int v = 0; v < versions; v++) {
        Instant t = START.plusSeconds((long) (rnd.nextDouble() * SPAN.getSeconds() * (v + 1) / versions));
        String time = rnd.nextInt(5) == 0 ? String.valueOf(t.getEpochSecond()) : t.toString();
        users.add(String.format(Locale.ROOT, "u%04d,%d,%s,%s", u, age, TIERS[Math.min(3, tier + v)], time));
      }
    }
    int goodUsers = users.size() - 1;
    users.add("u9001,unknown,gold,2024-03-10T10:00:00Z");
    users.add("u9002,33,silver,");
    users.add("u9003,41,bronze,2024-03-11 08:30:00");
    users.add(",29,gold,2024-03-12T09:00:00Z");

    List<String> products = new ArrayList<>();
    for (int p = 1; p <= productCount; p++) {
      int versions = 1 + rnd.nextInt(3);
      double price = 2 + rnd.nextInt(50000) / 100.0;
      String category = CATEGORIES[rnd.nextInt(CATEGORIES.length)];
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
    for (int i = 1; i <= transactionCount; i++) {
      Instant t = START.plusSeconds((long) (rnd.nextDouble() * SPAN.getSeconds()));
      int quantity = 1 + rnd.nextInt(3);
      transactions.add(String.format(Locale.ROOT, "t%06d,u%04d,p%03d,%.2f,%d,%s,%s", i, 1 + rnd.nextInt(userCount),
          1 + rnd.nextInt(productCount), quantity * (2 + rnd.nextInt(30000) / 100.0), quantity, t,
          rnd.nextInt(10) == 0));
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
