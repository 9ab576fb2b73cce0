package io.tidemark.testing;

/** Small inline definitions and data shared by several test classes. */
public final class Fixtures {
  private Fixtures() {}

  /** A users group with every feature type, read from ${raw_root}/users.csv. */
  public static final String USERS = """
      name: users
      description: test users
      owner: tests
      record_identifier: user_id
      event_time: event_time
      features:
        - {name: user_id, type: String, description: the user}
        - {name: age, type: Integral, description: age in years}
        - {name: score, type: Fractional}
        - {name: active, type: Boolean}
        - {name: signup, type: Timestamp}
        - {name: event_time, type: Timestamp}
      source:
        path: ${raw_root}/users.csv
        format: csv
      """;

  public static final String CSV = """
      user_id,age,score,active,signup,event_time
      u1,30,1.5,true,2024-01-01T00:00:00Z,2024-05-01T12:00:00Z
      u2,41,2.25,FALSE,,1714564800
      u3,abc,1.0,true,,2024-05-01T12:00:00Z
      ,20,1.0,true,,2024-05-01T12:00:00Z
      u5,20,NaN,true,,2024-05-01T12:00:00Z
      u6,20,1.0,true,,2024-05-01T12:00:00
      u7,20,1.0,maybe,,2024-05-01T12:00:00+02:00
      u8,20,1.0,true,,
      u9,99999999999999999999,1,true,,2024-05-01T12:00:00Z
      "  ",1,1,true,,2024-05-01T12:00:00Z
      u11,1,1,true,,2024-05-01T14:00:00+02:00
      u12,1,1.5e3,true,2024-02-30T00:00:00Z,1714564800.5
      """;
}
