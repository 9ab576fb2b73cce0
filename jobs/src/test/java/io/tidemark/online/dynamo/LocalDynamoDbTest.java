package io.tidemark.online.dynamo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidemark.online.OnlineTesting;
import io.tidemark.online.dynamo.OnlineConfig;
import io.tidemark.online.materialize.ReconcileAction;
import io.tidemark.runtime.LocalDynamoDb;
import io.tidemark.testing.TestSpark;
import io.tidemark.testing.TestStore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/** The local DynamoDB server (dynalite in a Node.js child process): lifetime, one owner per home, its gaps. */
class LocalDynamoDbTest {
  /**
   * A JVM that starts a home's server and is then killed with {@code kill -9}: its server ends too, its tables
   * survive for the next server on that home, and while it runs a second process on that home is refused.
   */
  @Test
  void theServerEndsWithItsJvmEvenAfterKill9AndItsTablesSurvive() throws Exception {
    Path online = TestSpark.target("local-dynamodb-home", "online");
    TestSpark.deleteRecursively(online.getParent());
    Process jvm = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-D" + LocalDynamoDb.DIR_PROPERTY + "=" + System.getProperty(LocalDynamoDb.DIR_PROPERTY),
        "-cp", System.getProperty("java.class.path"), Owner.class.getName(), online.toString())
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String endpoint;
    long serverPid;
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8));
      String[] ready = out.readLine().split(" ");
      endpoint = ready[1];
      serverPid = Long.parseLong(ready[2]);
      ProcessHandle server = ProcessHandle.of(serverPid).orElseThrow();
      assertTrue(server.info().commandLine().orElse("").contains("server.js --path " + online.resolve("dynalite")),
          server.info().commandLine().orElse("?"));

      DynamoDbClient client = new DynamoConnection(endpoint, "us-east-1", true, List.of()).reader();
      new OnlineTables(new DynamoConnection(endpoint, "us-east-1", true, List.of()), config())
          .create("kept", "id", ScalarAttributeType.S, java.util.Optional.empty());
      client.putItem(b -> b.tableName("kept").item(Map.of("id", s("a"), "v", s("1"))));

      IllegalStateException second = assertThrows(IllegalStateException.class,
          () -> LocalDynamoDb.persistent(online));
      assertEquals("the local online store in " + online + " is in use by another Tidemark process (pid "
          + jvm.pid() + ", server " + endpoint + " (pid " + serverPid + ")): one local DynamoDB server serves one "
          + "TIDEMARK_HOME at a time. Wait for that process to finish, give this one its own TIDEMARK_HOME, or point "
          + "it at the running server with online.endpoint: <its endpoint> while that process runs",
          second.getMessage());

      jvm.destroyForcibly(); // SIGKILL: no shutdown hook runs
      assertTrue(jvm.waitFor(60, TimeUnit.SECONDS));
      assertEquals(137, jvm.exitValue());
      // a liveness bound, not a speed check: the server notices its closed stdin and exits
      server.onExit().get(60, TimeUnit.SECONDS);
      assertFalse(server.isAlive());
    } finally {
      jvm.destroyForcibly();
    }

    String restarted = LocalDynamoDb.persistent(online);
    DynamoDbClient client = new DynamoConnection(restarted, "us-east-1", true, List.of()).reader();
    assertEquals(Map.of("id", s("a"), "v", s("1")), client.getItem(b -> b.tableName("kept")
        .key(Map.of("id", s("a"))).consistentRead(true)).item());
    assertTrue(Files.readString(online.resolve("dynalite.log"))
        .contains("stopping (stdin closed: the JVM that started it is gone)"));
  }

  /** Started by the test above in a JVM of its own: prints "ready ENDPOINT SERVER_PID", then waits to be killed. */
  public static final class Owner {
    public static void main(String[] args) throws Exception {
      String endpoint = LocalDynamoDb.persistent(Path.of(args[0]));
      System.out.println("ready " + endpoint + " " + LocalDynamoDb.server(endpoint).process().pid());
      System.out.flush();
      Thread.sleep(Long.MAX_VALUE);
    }
  }

  /** dynalite has no UpdateTimeToLive: tolerated against a local server only; against AWS it stays an error. */
  @Test
  void aMissingTtlIsToleratedOnlyOnALocalServer() {
    String endpoint = OnlineTesting.endpoint();
    DynamoConnection local = new DynamoConnection(endpoint, "us-east-1", true, List.of());
    OnlineTables tables = new OnlineTables(local, config());
    tables.create("ttl_local", "id", ScalarAttributeType.S, java.util.Optional.empty());
    tables.ensureTtl("ttl_local");

    System.setProperty("aws.accessKeyId", "tidemark");
    System.setProperty("aws.secretAccessKey", "local");
    try {
      DynamoConnection remote = new DynamoConnection(endpoint, "us-east-1", false, List.of());
      DynamoDbException e = assertThrows(DynamoDbException.class,
          () -> new OnlineTables(remote, config()).ensureTtl("ttl_local"));
      assertEquals("UnknownOperationException", e.awsErrorDetails().errorCode());
    } finally {
      System.clearProperty("aws.accessKeyId");
      System.clearProperty("aws.secretAccessKey");
    }
  }

  /**
   * dynalite's item count is always 0, so reconcile's online sample cannot size its scan segments by it: the
   * offline size stands in, and the seed still picks the segment and the ids in it.
   */
  @Test
  void theOnlineSampleFollowsTheSeedAcrossTheWholeTable() {
    TestStore store = new TestStore("local_sample").definition("users.yaml", OnlineTesting.USERS);
    ItemSchema schema = ItemSchema.of(store.registry().group("users"));
    DynamoConnection connection = new DynamoConnection(OnlineTesting.endpoint(), "us-east-1", true, List.of());
    DynamoDbClient client = connection.reader();
    String table = store.database + "_sample";
    new OnlineTables(connection, config()).create(table, "user_id", ScalarAttributeType.S,
        java.util.Optional.empty());
    List<String> all = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      String id = String.format("u%04d", i);
      all.add(id);
      client.putItem(b -> b.tableName(table).item(Map.of("user_id", s(id))));
    }
    assertEquals(0L, client.describeTable(b -> b.tableName(table)).table().itemCount());

    List<Object> first = ReconcileAction.sampleIds(client, schema, table, 20, 1, 1000);
    assertEquals(first, ReconcileAction.sampleIds(client, schema, table, 20, 1, 1000));
    Set<Object> seen = new HashSet<>();
    for (long seed = 1; seed <= 20; seed++) {
      List<Object> ids = ReconcileAction.sampleIds(client, schema, table, 20, seed, 1000);
      assertTrue(!ids.isEmpty() && ids.size() <= 20 && all.containsAll(ids) && new HashSet<>(ids).size()
          == ids.size(), ids.toString());
      seen.addAll(ids);
    }
    // 50 segments of about 20 ids each: 20 seeds reach far beyond the first segment
    assertTrue(seen.size() > 150, seen.size() + " ids");
    assertFalse(first.equals(ReconcileAction.sampleIds(client, schema, table, 20, 2, 1000)));

    // a table smaller than the sample: all of it, in the seed's order
    List<Object> small = ReconcileAction.sampleIds(client, schema, table, 2000, 7, 1000);
    assertEquals(new HashSet<>(all), new HashSet<>(small));
    assertEquals(1000, small.size());
  }

  private static OnlineConfig config() {
    return new OnlineConfig("", 0, java.util.Optional.empty(), 1, 1, java.time.Duration.ofHours(1));
  }

  private static AttributeValue s(String v) {
    return AttributeValue.builder().s(v).build();
  }
}
