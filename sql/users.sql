-- users: one row per profile version from the CRM export ({{profiles}}), with the purchase features computed from
-- the order events ({{orders}}) up to that version's time, so no value comes from the future.
WITH profiles AS (
  SELECT user_id, age, lower(trim(tier)) AS membership_tier, updated_at,
         -- the export writes times as ISO-8601 or epoch seconds
         CASE WHEN updated_at RLIKE '^[0-9]+$' THEN timestamp_seconds(CAST(updated_at AS BIGINT))
              ELSE CAST(updated_at AS TIMESTAMP) END AS at
  FROM {{profiles}}
),
orders AS (
  SELECT user_id, CAST(amount AS DOUBLE) AS amount, CAST(purchased_at AS TIMESTAMP) AS at
  FROM {{orders}}
  WHERE CAST(amount AS DOUBLE) IS NOT NULL
)
SELECT p.user_id,
       p.age,
       p.membership_tier,
       count(o.amount)          AS total_purchases,
       round(avg(o.amount), 2)  AS avg_order_value,
       p.updated_at             AS event_time
FROM profiles p
LEFT JOIN orders o ON o.user_id = p.user_id AND o.at <= p.at
GROUP BY p.user_id, p.age, p.membership_tier, p.updated_at
