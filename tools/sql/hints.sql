-- Recommendation hint tables as plain SQL: the same tables as the native
-- HintBuilder (core/include/tagwise/hints.h, whose top comment defines them).
-- tests/js/hints_sql.test.mjs checks that both agree on the real retail data.
--
-- Input: a table or view `events` (user_id, type, ts ms, item, basket, plus one
-- column per segment field), e.g. from load_events.duckdb.sql, and the tables
-- `params` and `counted_event_types` from params.sql (run that first).
-- Portable: ANSI SQL + window functions only (runs on DuckDB and Spark SQL).
-- Every table is DROP + CREATE TABLE AS, so the script can be re-run.
-- Strings compare as bytes in both engines (UTF-8 byte order = code point
-- order), which is the builder's "item ids compare as byte strings".

-- ===========================================================================
-- Counted events: the right type, with a user, a time and props.item.
-- A basket is (user, order) or, without an order, (user, ts): order_key ''
-- marks "no order" (an empty order counts as none) and ts_key is then the
-- event time, else 0, so the two kinds of basket can never collide.
-- ===========================================================================
DROP TABLE IF EXISTS counted_events;
CREATE TABLE counted_events AS
SELECT
  e.*,
  COALESCE(NULLIF(e.basket, ''), '') AS order_key,
  CASE WHEN COALESCE(NULLIF(e.basket, ''), '') = '' THEN e.ts ELSE 0 END AS ts_key
FROM events e
WHERE e.item IS NOT NULL
  AND e.user_id IS NOT NULL
  AND e.ts IS NOT NULL
  AND e.type IN (SELECT type FROM counted_event_types);

-- ===========================================================================
-- SEGMENT FIELDS: one SELECT per segment column of `events` (key = its name).
-- ===========================================================================
DROP TABLE IF EXISTS segment_events;
CREATE TABLE segment_events AS
SELECT user_id, 'country' AS key, country AS value FROM counted_events WHERE country IS NOT NULL;

-- Dense numbers for items (in id byte order, so comparing numbers is comparing
-- ids) and users: the pair self-joins, group-bys and rankings below run on
-- integers, several times faster than on strings, and names are joined back
-- only onto the short final lists.
DROP TABLE IF EXISTS item_numbers;
CREATE TABLE item_numbers AS
SELECT item, ROW_NUMBER() OVER (ORDER BY item ASC) AS item_no
FROM (SELECT DISTINCT item FROM counted_events) i;

DROP TABLE IF EXISTS user_numbers;
CREATE TABLE user_numbers AS
SELECT user_id, ROW_NUMBER() OVER (ORDER BY user_id ASC) AS user_no
FROM (SELECT DISTINCT user_id FROM counted_events) u;

-- interaction: a (user, item) pair with at least one counted event.
DROP TABLE IF EXISTS interactions;
CREATE TABLE interactions AS
SELECT user_id, item, MIN(ts) AS first_ts, COUNT(*) AS events
FROM counted_events
GROUP BY user_id, item;

DROP TABLE IF EXISTS interaction_numbers;
CREATE TABLE interaction_numbers AS
SELECT u.user_no, n.item_no
FROM interactions i
JOIN user_numbers u ON u.user_id = i.user_id
JOIN item_numbers n ON n.item = i.item;

-- popularity: buyers(i) = distinct users with an interaction; rank = the
-- `popular` list order (buyers desc, id asc).
DROP TABLE IF EXISTS popularity;
CREATE TABLE popularity AS
SELECT n.item, n.item_no, b.buyers, ROW_NUMBER() OVER (ORDER BY b.buyers DESC, n.item_no ASC) AS rank
FROM (SELECT item_no, COUNT(*) AS buyers FROM interaction_numbers GROUP BY item_no) b
JOIN item_numbers n ON n.item_no = b.item_no;

-- co(i,j): distinct users with interactions on both. The self-join counts each
-- unordered pair once (i < j); `cooccurrence` shows both directions by id.
DROP TABLE IF EXISTS cooccurrence_pairs;
CREATE TABLE cooccurrence_pairs AS
SELECT a.item_no, b.item_no AS other_no, COUNT(*) AS users
FROM interaction_numbers a
JOIN interaction_numbers b ON a.user_no = b.user_no AND a.item_no < b.item_no
GROUP BY a.item_no, b.item_no;

DROP VIEW IF EXISTS cooccurrence;
CREATE VIEW cooccurrence AS
SELECT i.item, o.item AS other, p.users
FROM (
  SELECT item_no, other_no, users FROM cooccurrence_pairs
  UNION ALL
  SELECT other_no AS item_no, item_no AS other_no, users FROM cooccurrence_pairs
) p
JOIN item_numbers i ON i.item_no = p.item_no
JOIN item_numbers o ON o.item_no = p.other_no;

-- neighbours(i): the K items j with co >= min_co_users by (sim desc, id asc).
-- For alpha = 0.5 the score is exactly co / sqrt(double(b_i) * double(b_j)),
-- as in the builder, so equal scores tie bit for bit and the id decides.
DROP TABLE IF EXISTS neighbours;
CREATE TABLE neighbours AS
SELECT i.item, o.item AS other, r.users, r.score, r.rank
FROM (
  SELECT item_no, other_no, users, score,
         ROW_NUMBER() OVER (PARTITION BY item_no ORDER BY score DESC, other_no ASC) AS rank
  FROM (
    SELECT c.item_no, c.other_no, c.users,
           CASE WHEN p.similarity_alpha = 0.5
                THEN c.users / SQRT(CAST(bi.buyers AS DOUBLE) * CAST(bj.buyers AS DOUBLE))
                ELSE c.users / (POWER(CAST(bi.buyers AS DOUBLE), p.similarity_alpha)
                                * POWER(CAST(bj.buyers AS DOUBLE), 1 - p.similarity_alpha))
           END AS score
    FROM (
      SELECT item_no, other_no, users FROM cooccurrence_pairs
      UNION ALL
      SELECT other_no AS item_no, item_no AS other_no, users FROM cooccurrence_pairs
    ) c
    JOIN popularity bi ON bi.item_no = c.item_no
    JOIN popularity bj ON bj.item_no = c.other_no
    CROSS JOIN params p
    WHERE c.users >= p.min_co_users
  ) scored
) r
JOIN item_numbers i ON i.item_no = r.item_no
JOIN item_numbers o ON o.item_no = r.other_no
WHERE r.rank <= (SELECT neighbours_per_item FROM params);

-- baskets: the distinct items of each basket (user, order_key, ts_key).
DROP TABLE IF EXISTS basket_items;
CREATE TABLE basket_items AS
SELECT DISTINCT user_id, order_key, ts_key, item FROM counted_events;

-- Basket numbers, for the same reason as item numbers.
DROP TABLE IF EXISTS basket_item_numbers;
CREATE TABLE basket_item_numbers AS
SELECT DENSE_RANK() OVER (ORDER BY b.user_id, b.order_key, b.ts_key) AS basket_no, n.item_no
FROM basket_items b
JOIN item_numbers n ON n.item = b.item;

-- baskets(i): baskets containing i.
DROP TABLE IF EXISTS item_baskets;
CREATE TABLE item_baskets AS
SELECT n.item, n.item_no, b.baskets
FROM (SELECT item_no, COUNT(*) AS baskets FROM basket_item_numbers GROUP BY item_no) b
JOIN item_numbers n ON n.item_no = b.item_no;

-- tog(i,j): baskets containing both (each unordered pair once).
DROP TABLE IF EXISTS basket_pairs;
CREATE TABLE basket_pairs AS
SELECT a.item_no, b.item_no AS other_no, COUNT(*) AS baskets
FROM basket_item_numbers a
JOIN basket_item_numbers b ON a.basket_no = b.basket_no AND a.item_no < b.item_no
GROUP BY a.item_no, b.item_no;

-- together(i): the K items with tog >= min_together_baskets by
-- (tog / sqrt(double(baskets_i) * double(baskets_j)) desc, id asc).
DROP TABLE IF EXISTS together;
CREATE TABLE together AS
SELECT i.item, o.item AS other, r.baskets, r.score, r.rank
FROM (
  SELECT item_no, other_no, baskets, score,
         ROW_NUMBER() OVER (PARTITION BY item_no ORDER BY score DESC, other_no ASC) AS rank
  FROM (
    SELECT t.item_no, t.other_no, t.baskets,
           t.baskets / SQRT(CAST(bi.baskets AS DOUBLE) * CAST(bj.baskets AS DOUBLE)) AS score
    FROM (
      SELECT item_no, other_no, baskets FROM basket_pairs
      UNION ALL
      SELECT other_no AS item_no, item_no AS other_no, baskets FROM basket_pairs
    ) t
    JOIN item_baskets bi ON bi.item_no = t.item_no
    JOIN item_baskets bj ON bj.item_no = t.other_no
    CROSS JOIN params p
    WHERE t.baskets >= p.min_together_baskets
  ) scored
) r
JOIN item_numbers i ON i.item_no = r.item_no
JOIN item_numbers o ON o.item_no = r.other_no
WHERE r.rank <= (SELECT together_per_item FROM params);

-- trending: data_to = the latest counted event; recent(i) / previous(i) =
-- distinct users with a counted event on i in (data_to - W, data_to] /
-- (data_to - 2W, data_to - W]. item_windows has every item with either > 0.
DROP TABLE IF EXISTS item_windows;
CREATE TABLE item_windows AS
SELECT e.item,
       COUNT(DISTINCT CASE WHEN e.ts > w.data_to - w.width THEN e.user_id END) AS recent,
       COUNT(DISTINCT CASE WHEN e.ts <= w.data_to - w.width THEN e.user_id END) AS previous
FROM counted_events e
CROSS JOIN (
  SELECT MAX(ts) AS data_to, (SELECT trending_window_ms FROM params) AS width FROM counted_events
) w
WHERE e.ts > w.data_to - 2 * w.width
GROUP BY e.item;

-- The trending list: recent > previous, by (recent - previous desc, recent
-- desc, id asc), at most trending_size.
DROP TABLE IF EXISTS trending;
CREATE TABLE trending AS
SELECT item, recent, previous, rank
FROM (
  SELECT item, recent, previous,
         ROW_NUMBER() OVER (ORDER BY recent - previous DESC, recent DESC, item ASC) AS rank
  FROM item_windows
  WHERE recent > previous
) ranked
WHERE rank <= (SELECT trending_size FROM params);

-- segments: a user's value for a key is the most frequent value over the
-- user's counted events (ties: the smallest, byte order).
DROP TABLE IF EXISTS user_segments;
CREATE TABLE user_segments AS
SELECT user_id, key, value
FROM (
  SELECT user_id, key, value,
         ROW_NUMBER() OVER (PARTITION BY user_id, key ORDER BY n DESC, value ASC) AS pick
  FROM (SELECT user_id, key, value, COUNT(*) AS n FROM segment_events GROUP BY user_id, key, value) c
) ranked
WHERE pick = 1;

-- Segments with at least min_segment_users users.
DROP TABLE IF EXISTS segments;
CREATE TABLE segments AS
SELECT key, value, COUNT(*) AS users
FROM user_segments
GROUP BY key, value
HAVING COUNT(*) >= (SELECT min_segment_users FROM params);

-- segment_popularity: per segment, items by (segment users with an
-- interaction desc, buyers desc, id asc), at most segment_list_size.
DROP TABLE IF EXISTS segment_popularity;
CREATE TABLE segment_popularity AS
SELECT key, value, item, users, rank
FROM (
  SELECT c.key, c.value, c.item, c.users,
         ROW_NUMBER() OVER (PARTITION BY c.key, c.value ORDER BY c.users DESC, b.buyers DESC, c.item ASC) AS rank
  FROM (
    SELECT s.key, s.value, i.item, COUNT(*) AS users
    FROM user_segments s
    JOIN segments g ON g.key = s.key AND g.value = s.value
    JOIN interactions i ON i.user_id = s.user_id
    GROUP BY s.key, s.value, i.item
  ) c
  JOIN popularity b ON b.item = c.item
) ranked
WHERE rank <= (SELECT segment_list_size FROM params);
