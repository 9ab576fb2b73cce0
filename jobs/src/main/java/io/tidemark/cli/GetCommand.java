package io.tidemark.cli;

import io.tidemark.online.OnlineRecord;
import io.tidemark.online.OnlineStore;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "get", mixinStandardHelpOptions = true,
    description = {"Read records from the online store (no Spark) and print each as one JSON line: "
        + "{\"group\", \"id\", \"found\", \"features\", \"write_time\", \"expires_at\"}.",
        "Expired records are not served (found: false), like a missing one."})
final class GetCommand implements Callable<Integer> {
  @Mixin
  CliContext context;

  @Parameters(index = "0", paramLabel = "GROUP", description = "The feature group.")
  String group;

  @Parameters(index = "1..*", arity = "1..*", paramLabel = "ID", description = "Record ids.")
  List<String> ids;

  @Option(names = "--features", split = ",", paramLabel = "F1,F2",
      description = "Only these features (the id and event time always come back).")
  List<String> features = List.of();

  @Override
  public Integer call() {
    OnlineStore online = OnlineStore.create(context.config(), context.registry());
    Map<Object, OnlineRecord> found = online.batchGet(group, ids, features.toArray(String[]::new));
    for (String id : ids) {
      OnlineRecord r = found.values().stream().filter(x -> String.valueOf(x.id()).equals(id.trim())).findFirst()
          .orElse(null);
      System.out.println(Json.write(json(group, id, r)));
    }
    return 0;
  }

  static Map<String, Object> json(String group, String id, OnlineRecord r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("group", group);
    m.put("id", r == null ? id : r.id());
    m.put("found", r != null);
    if (r != null) {
      Map<String, Object> values = new LinkedHashMap<>();
      r.features().forEach((k, v) -> values.put(k, v instanceof Instant t ? t.toString() : v));
      m.put("features", values);
      m.put("write_time", r.writeTime() == null ? null : r.writeTime().toString());
      m.put("expires_at", r.expiresAt().map(Instant::toString).orElse(null));
    }
    return m;
  }
}
