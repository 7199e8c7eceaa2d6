-- Parameters of tools/sql/hints.sql: the one place to change them. The
-- defaults are HintBuildOptions' (core/include/tagwise/hints.h). Run this
-- before hints.sql; a job may also UPDATE params between the two.
DROP TABLE IF EXISTS params;
CREATE TABLE params AS
SELECT
  CAST(0.5 AS DOUBLE) AS similarity_alpha,          -- sim = co / (b_i^a * b_j^(1-a))
  50 AS neighbours_per_item,                        -- K of neighbours
  1 AS min_co_users,                                -- co(i,j) >= this
  20 AS together_per_item,                          -- K of together
  2 AS min_together_baskets,                        -- tog(i,j) >= this
  CAST(14 AS BIGINT) * 86400000 AS trending_window_ms,
  100 AS trending_size,
  100 AS segment_list_size,
  20 AS min_segment_users;

-- Event types that count as interactions (HintBuildOptions::item_event_types).
DROP TABLE IF EXISTS counted_event_types;
CREATE TABLE counted_event_types AS
SELECT type FROM (VALUES ('view'), ('cart_add'), ('purchase')) AS t(type);

