-- products: one row per catalogue version ({{catalog}}), with the mean rating of the reviews ({{reviews}}) written
-- up to that version's time.
SELECT c.product_id,
       c.category,
       c.price,
       round(avg(CAST(r.rating AS DOUBLE)), 2) AS avg_rating,
       c.stock_level,
       c.updated_at                             AS event_time
FROM {{catalog}} c
LEFT JOIN {{reviews}} r
  ON r.product_id = c.product_id AND CAST(r.reviewed_at AS TIMESTAMP) <= CAST(c.updated_at AS TIMESTAMP)
GROUP BY c.product_id, c.category, c.price, c.stock_level, c.updated_at
