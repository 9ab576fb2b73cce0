-- users: the raw CRM export names columns its own way; map them to the group's features.
-- {{input}} is the group's source (raw/users.csv), read with every column as a string.
SELECT
  user_id,
  age,
  lower(trim(tier))  AS membership_tier,
  total_purchases,
  avg_order_value,
  updated_at         AS event_time
FROM {{input}}
