package io.tidemark.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * The project configuration: embedded defaults, overridden by a {@code tidemark.yaml} file, overridden by
 * {@code TIDEMARK_<SECTION>_<KEY>} environment variables. Values are kept as flat dotted keys.
 */
public final class TidemarkConfig {
  public static final String DEFAULT_FILE = "tidemark.yaml";
  private static final Set<String> KNOWN_KEYS = Set.of("offline.root", "offline.target_file_size",
      "catalog.database", "catalog.metastore", "catalog.lock_wait",
      "online.endpoint", "online.region", "online.table_prefix", "online.write_capacity", "online.kms_key",
      "online.write_concurrency", "online.write_tasks", "online.grace_period",
      "spark.master", "s3.endpoint", "s3.region", "s3.path_style", "s3.access_key", "s3.secret_key", "s3.kms_key");
  private static final Set<String> SECTIONS = Set.of("offline", "catalog", "online", "s3", "spark", "variables");
  /** Sections whose keys are free-form: {@code variables.<name>}, {@code spark.conf.<spark key>}. */
  private static final List<String> OPEN_PREFIXES = List.of("variables.", "spark.conf.");
  private static final Pattern DATABASE = Pattern.compile("[a-z_][a-z0-9_]{0,127}");
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");
  private static final Pattern SECRET = Pattern.compile("(?i).*(secret|password|session[._]token|access[._]key).*");

  private final Path home;
  private final Map<String, String> values;

  private TidemarkConfig(Path home, Map<String, String> values) {
    this.home = home;
    this.values = Map.copyOf(values);
  }

  /**
   * Loads the configuration.
   *
   * @param file explicit config file; when empty, {@code ./tidemark.yaml} is used if it exists
   * @param env the environment (System.getenv() in the CLI)
   */
  public static TidemarkConfig load(Optional<Path> file, Map<String, String> env) {
    return load(file.or(() -> Optional.of(Path.of(DEFAULT_FILE)).filter(Files::isRegularFile)), env, true);
  }

  private static TidemarkConfig load(Optional<Path> chosen, Map<String, String> env, boolean fromEnv) {
    Path home = home(env);
    Map<String, String> flat = new TreeMap<>();
    List<String> unknown = new java.util.ArrayList<>();
    try (InputStream in = TidemarkConfig.class.getResourceAsStream("/tidemark-defaults.yaml")) {
      flatten("", new Yaml(new LoaderOptions()).load(in), flat, "embedded defaults");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (chosen.isPresent()) {
      Path p = chosen.get();
      if (!Files.isRegularFile(p)) {
        throw new ConfigException("config file " + p + " does not exist");
      }
      Map<String, String> fromFile = new TreeMap<>();
      try {
        flatten("", new Yaml(new LoaderOptions()).load(Files.readString(p)), fromFile, p.toString());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read config file " + p, e);
      } catch (YAMLException e) {
        throw new ConfigException("config file " + p + " is not valid YAML: " + e.getMessage(), e);
      }
      fromFile.keySet().forEach(k -> unknown(k, p.toString()).ifPresent(unknown::add));
      flat.putAll(fromFile);
    }
    Map<String, String> settingsFromEnv = fromEnv ? new TreeMap<>(env) : Map.of();
    settingsFromEnv.forEach((name, value) -> envKey(name).ifPresent(k -> {
      unknown(k, "environment variable " + name).ifPresent(unknown::add);
      flat.put(k, value);
    }));
    if (!unknown.isEmpty()) {
      throw new ConfigException(String.join("; ", unknown) + "; known settings: " + knownText());
    }
    Map<String, String> vars = new LinkedHashMap<>(env);
    vars.put("TIDEMARK_HOME", home.toString());
    Map<String, String> resolved = new TreeMap<>();
    flat.forEach((k, v) -> resolved.put(k, substitute(v, vars, k)));
    return checked(new TidemarkConfig(home, resolved));
  }

  /** Values that would fail later, deep inside Spark or the catalog, are refused here with the fix. */
  private static TidemarkConfig checked(TidemarkConfig c) {
    List<String> problems = new java.util.ArrayList<>();
    String db = c.values.getOrDefault("catalog.database", "");
    if (!DATABASE.matcher(db).matches()) {
      problems.add("setting catalog.database = '" + db + "' is not a database name (use lower-case letters, digits "
          + "and underscores, starting with a letter or underscore, at most 128 characters)");
    }
    String metastore = c.values.getOrDefault("catalog.metastore", "");
    if (!metastore.equals("embedded") && !metastore.equals("external")) {
      problems.add("setting catalog.metastore = '" + metastore + "' (use embedded or external)");
    }
    String wait = c.values.getOrDefault("catalog.lock_wait", "0s");
    if (io.tidemark.definitions.Durations.parse(wait).isEmpty()) {
      problems.add("setting catalog.lock_wait = '" + wait + "' is not a duration; "
          + io.tidemark.definitions.Durations.fix(wait));
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(String.join("; ", problems));
    }
    return c;
  }

  /** Configuration for tests and embedding: defaults with {@code home}, plus explicit overrides. */
  public static TidemarkConfig forHome(Path home, Map<String, String> overrides) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("TIDEMARK_HOME", home.toString());
    return load(Optional.empty(), env, false).with(overrides);
  }

  /** This configuration with some settings replaced (tests, embedding). */
  public TidemarkConfig with(Map<String, String> overrides) {
    Map<String, String> merged = new TreeMap<>(values);
    overrides.forEach((k, v) -> {
      unknown(k, "overrides").ifPresent(u -> {
        throw new ConfigException(u + "; known settings: " + knownText());
      });
      merged.put(k, v);
    });
    return checked(new TidemarkConfig(home, merged));
  }

  /** {@code $TIDEMARK_HOME}, or {@code ~/.tidemark}. */
  public static Path home(Map<String, String> env) {
    String h = env.get("TIDEMARK_HOME");
    Path p = h == null || h.isBlank() ? Path.of(System.getProperty("user.home"), ".tidemark") : Path.of(h);
    return p.toAbsolutePath().normalize();
  }

  public Path home() {
    return home;
  }

  public String get(String key) {
    String v = values.get(key);
    if (v == null) {
      throw new IllegalStateException("configuration key " + key + " is not set");
    }
    return v;
  }

  public Optional<String> find(String key) {
    return Optional.ofNullable(values.get(key)).filter(v -> !v.isBlank());
  }

  /** Offline store root as a URI-like string without a trailing slash (local paths are made absolute). */
  public String offlineRoot() {
    String root = get("offline.root").replaceAll("/+$", "");
    return root.matches("^[a-zA-Z][a-zA-Z0-9+.-]*://.*") ? root : Path.of(root).toAbsolutePath().normalize().toString();
  }

  /** {@code offline.target_file_size}: a size such as 128m or 1g (Spark's byte-size syntax). */
  public long offlineTargetFileBytes() {
    String text = get("offline.target_file_size").trim();
    long bytes;
    try {
      bytes = org.apache.spark.network.util.JavaUtils.byteStringAsBytes(text);
    } catch (NumberFormatException e) {
      bytes = -1;
    }
    if (bytes < (1L << 20)) {
      throw new IllegalArgumentException("setting offline.target_file_size = '" + text + "' is not a size of at "
          + "least 1m (write it like 128m, 512m or 1g)");
    }
    return bytes;
  }

  public String database() {
    return get("catalog.database");
  }

  /** {@code catalog.lock_wait}: how long a CLI run waits while another process uses the embedded home. */
  public java.time.Duration lockWait() {
    String text = find("catalog.lock_wait").orElse("0s");
    return io.tidemark.definitions.Durations.parse(text).orElseThrow(() -> new ConfigException(
        "setting catalog.lock_wait = '" + text + "' is not a duration; " + io.tidemark.definitions.Durations.fix(text)));
  }

  public boolean embeddedMetastore() {
    return get("catalog.metastore").equals("embedded");
  }

  /** {@code variables.*} without the prefix: the values of {@code ${name}} in definition files. */
  public Map<String, String> variables() {
    return withPrefix("variables.");
  }

  /** {@code spark.conf.*} without the prefix. */
  public Map<String, String> sparkConf() {
    return withPrefix("spark.conf.");
  }

  /** Every setting, secrets masked: safe to log. */
  public Map<String, String> describe() {
    Map<String, String> out = new TreeMap<>();
    values.forEach((k, v) -> out.put(k, SECRET.matcher(k).matches() ? "****" : v));
    out.put("home", home.toString());
    return out;
  }

  private Map<String, String> withPrefix(String prefix) {
    Map<String, String> out = new TreeMap<>();
    values.forEach((k, v) -> {
      if (k.startsWith(prefix)) {
        out.put(k.substring(prefix.length()), v);
      }
    });
    return out;
  }

  @SuppressWarnings("unchecked")
  private static void flatten(String prefix, Object node, Map<String, String> out, String origin) {
    if (node == null) {
      return;
    }
    if (!(node instanceof Map<?, ?> map)) {
      throw new ConfigException(origin + ": expected a mapping of settings");
    }
    for (Map.Entry<?, ?> e : ((Map<Object, Object>) map).entrySet()) {
      String key = prefix + e.getKey();
      boolean open = OPEN_PREFIXES.stream().anyMatch(key::startsWith);
      if (e.getValue() instanceof Map<?, ?> && !open) {
        flatten(key + ".", e.getValue(), out, origin);
      } else if (e.getValue() instanceof Map<?, ?> nested) {
        nested.forEach((k, v) -> out.put(key + "." + k, String.valueOf(v)));
      } else {
        out.put(key, e.getValue() == null ? "" : String.valueOf(e.getValue()));
      }
    }
  }

  private static Optional<String> unknown(String key, String origin) {
    if (KNOWN_KEYS.contains(key) || OPEN_PREFIXES.stream().anyMatch(key::startsWith)) {
      return Optional.empty();
    }
    return Optional.of(origin + ": unknown setting '" + key + "'");
  }

  private static String knownText() {
    return String.join(", ", KNOWN_KEYS.stream().sorted().toList()) + ", variables.<name>, spark.conf.<spark setting>";
  }

  /** TIDEMARK_OFFLINE_ROOT -> offline.root; TIDEMARK_ONLINE_TABLE_PREFIX -> online.table_prefix. */
  static Optional<String> envKey(String name) {
    if (!name.startsWith("TIDEMARK_") || name.equals("TIDEMARK_HOME") || name.equals("TIDEMARK_CONFIG")) {
      return Optional.empty();
    }
    String rest = name.substring("TIDEMARK_".length()).toLowerCase(Locale.ROOT);
    int cut = rest.indexOf('_');
    // only the settings' sections: TIDEMARK_JAVA_OPTS, TIDEMARK_DEFINITIONS, ... belong to the launchers
    if (cut <= 0 || !SECTIONS.contains(rest.substring(0, cut))) {
      return Optional.empty();
    }
    return Optional.of(rest.substring(0, cut) + "." + rest.substring(cut + 1));
  }

  private static String substitute(String value, Map<String, String> vars, String key) {
    Matcher m = VARIABLE.matcher(value);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String v = vars.get(m.group(1));
      if (v == null) {
        throw new ConfigException("setting " + key + " refers to ${" + m.group(1)
            + "}, which is not set in the environment");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(v));
    }
    m.appendTail(out);
    return out.toString();
  }
}
