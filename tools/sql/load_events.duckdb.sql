-- The one DuckDB-specific statement: reads the JSON Lines event log into the
-- `events` table that hints.sql expects. On Spark, replace it with e.g.
--   CREATE TEMPORARY VIEW events AS
--   SELECT user_id, type, CAST(ts AS BIGINT) AS ts, props.item AS item,
--          props.`order` AS basket, props.country AS country
--   FROM json.`events.jsonl`
--
-- `events.jsonl` is resolved against the working directory: run DuckDB from
-- the folder holding the log, or edit the path (the tests substitute it).
-- ts must be epoch milliseconds (tools/retail/to_events.mjs writes ms).
--
-- events columns:
--   user_id VARCHAR, type VARCHAR, ts BIGINT (ms), item VARCHAR (props.item),
--   basket VARCHAR (props.order, NULL when absent),
--   then one column per segment field (here: country = props.country).
DROP TABLE IF EXISTS events;
CREATE TABLE events AS
SELECT
  CAST(user_id AS VARCHAR) AS user_id,
  CAST(type AS VARCHAR) AS type,
  CAST(ts AS BIGINT) AS ts,
  props.item AS item,
  props."order" AS basket,
  props.country AS country
FROM read_json(
  'events.jsonl',
  format = 'newline_delimited',
  columns = {
    user_id: 'VARCHAR',
    type: 'VARCHAR',
    ts: 'BIGINT',
    props: 'STRUCT(item VARCHAR, "order" VARCHAR, country VARCHAR)'
  }
);
