-- +goose Up
-- Concept search (internal/search): offers are tagged with the concepts
-- of the lexicon their texts name; a search for a concept reads the
-- concept's postings like a word's (term '§' || concept in
-- search_postings). The network office's additions to the lexicon, and
-- what people asked the office for when nothing fitted.

-- offer_concepts: the concepts an offer's texts name, weight in tenths as
-- in search_postings (10 title/tags, 5 organisation, 3 description, times
-- how well the term matched). Written by the importer (Go), which knows
-- the lexicon; search_meta 'lexicon' is the version the tags were made with.
CREATE TABLE offer_concepts (
    offer_id bigint NOT NULL REFERENCES offers (id) ON DELETE CASCADE,
    concept  text NOT NULL,
    weight   smallint NOT NULL CHECK (weight BETWEEN 1 AND 10),
    PRIMARY KEY (offer_id, concept)
);
CREATE TRIGGER offer_concepts_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON offer_concepts
    FOR EACH STATEMENT EXECUTE FUNCTION offer_directory_changed();

-- lexicon_additions: terms and concepts the office added (netzbot import
-- lexicon, netzbot lexicon add), merged into the shipped lexicon at start.
-- kind: 'term' (a word people type, in lang) or 'offer' (a German word
-- offers use); category and parent only for a concept new to the lexicon.
CREATE TABLE lexicon_additions (
    concept    text NOT NULL,
    kind       text NOT NULL CHECK (kind IN ('term', 'offer', 'ambiguous')),
    lang       text NOT NULL,
    term       text NOT NULL,
    category   text NOT NULL DEFAULT '',
    parent     text NOT NULL DEFAULT '',
    source     text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (concept, kind, lang, term)
);
-- Running bots hear of additions like of any directory change and load
-- the lexicon again (internal/postgres/lexicon.go).
CREATE TRIGGER lexicon_additions_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON lexicon_additions
    FOR EACH STATEMENT EXECUTE FUNCTION offer_directory_changed();

-- search_requests: "tell the network office what you are looking for",
-- when nothing fitted. Anonymous like search_misses: the folded words, the
-- language, how often, when first and last.
CREATE TABLE search_requests (
    query      text NOT NULL,
    lang       text NOT NULL,
    count      integer NOT NULL DEFAULT 1,
    first_seen timestamptz NOT NULL DEFAULT now(),
    last_seen  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (query, lang)
);

-- offer_search_expand as in 00003, plus exact: index terms searched as
-- they are (the query's concepts, the parts a compound may split into),
-- whose postings come as rows 'p'.
DROP FUNCTION offer_search_expand(text[], integer, regconfig[]);
-- +goose StatementBegin
CREATE FUNCTION offer_search_expand(words text[], nwords integer, configs regconfig[], exact text[])
RETURNS TABLE (r_kind text, r_i integer, r_t text, r_stem boolean, r_docs integer, r_has_prefix boolean,
               r_sim real, r_ord integer, r_category text, r_offers bytea, r_weights bytea)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET plan_cache_mode = force_generic_plan AS $$
BEGIN
  RETURN QUERY
    WITH w AS (
        SELECT i::int, offer_fold(word) AS f FROM unnest(words) WITH ORDINALITY AS u(word, i)
    ), a AS (
        SELECT w.i, x.t COLLATE "C" AS t, false AS stem
          FROM w, LATERAL unnest(tsvector_to_array(to_tsvector('simple', w.f))) AS x(t)
        UNION
        SELECT w.i, x.t COLLATE "C", true
          FROM w, unnest(configs) AS c(cfg),
               LATERAL unnest(tsvector_to_array(to_tsvector(c.cfg, w.f))) AS x(t)
    ), k AS MATERIALIZED (
        SELECT a.i, a.t, a.stem, (SELECT l.docs FROM search_lexicon l WHERE l.term = a.t) AS docs,
               char_length(a.t) >= 4 AND EXISTS (
                   SELECT 1 FROM search_lexicon p
                    WHERE p.term > a.t AND p.term < a.t || chr(1114111)) AS has_prefix
          FROM a
    ), typo AS MATERIALIZED (
        SELECT n.i, n.t, s.term COLLATE "C" AS term, s.docs, s.sim, s.ord::int,
               max(s.sim) OVER (PARTITION BY n.i, n.t) AS best
          FROM (SELECT DISTINCT i, t FROM k
                 WHERE NOT stem AND i <= nwords AND char_length(t) >= 4
                   AND NOT EXISTS (SELECT 1 FROM k k2 WHERE k2.i = k.i AND (k2.docs IS NOT NULL OR k2.has_prefix))) n,
               LATERAL offer_similar_terms(n.t, 3) WITH ORDINALITY AS s(term, docs, sim, ord)
    ), fixes AS MATERIALIZED (
        SELECT * FROM typo WHERE sim >= best - 0.1
    ), terms AS MATERIALIZED (
        SELECT array_agg(DISTINCT term) AS terms FROM (
            SELECT t AS term FROM k WHERE docs IS NOT NULL
            UNION ALL
            SELECT term FROM fixes
            UNION ALL
            SELECT l.term FROM (SELECT DISTINCT t FROM k WHERE has_prefix) pre,
                   LATERAL (SELECT term FROM search_lexicon l WHERE l.term > pre.t AND l.term < pre.t || chr(1114111)) l
            UNION ALL
            SELECT e COLLATE "C" FROM unnest(exact) AS e
        ) x
    )
    SELECT 'k' AS kind, i, t::text, stem, docs, has_prefix, NULL::real AS sim, NULL::int AS ord,
           NULL::text AS category, NULL::bytea AS offers, NULL::bytea AS weights
      FROM k
    UNION ALL
    SELECT 't', i, t::text, NULL, docs, NULL, sim, ord, term::text, NULL, NULL FROM fixes
    UNION ALL
    SELECT 'p', NULL, p.term::text, NULL, NULL, NULL, NULL, NULL, p.category, p.offers, p.weights
      FROM search_postings p WHERE p.term = ANY ((SELECT terms FROM terms)::text[])
    UNION ALL
    SELECT 'w', NULL, s.term::text, NULL, NULL, NULL, s.weight, NULL, s.category, NULL, NULL
      FROM search_keywords s WHERE s.term = ANY ((SELECT terms FROM terms)::text[])
    UNION ALL
    SELECT 'n', NULL, NULL, NULL, value::int, NULL, NULL, NULL, NULL, NULL, NULL
      FROM search_meta WHERE key = 'docs';
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION offer_search_expand(text[], integer, regconfig[], text[]);
-- +goose StatementBegin
CREATE FUNCTION offer_search_expand(words text[], nwords integer, configs regconfig[])
RETURNS TABLE (r_kind text, r_i integer, r_t text, r_stem boolean, r_docs integer, r_has_prefix boolean,
               r_sim real, r_ord integer, r_category text, r_offers bytea, r_weights bytea)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET plan_cache_mode = force_generic_plan AS $$
BEGIN
  RETURN QUERY
    WITH w AS (
        SELECT i::int, offer_fold(word) AS f FROM unnest(words) WITH ORDINALITY AS u(word, i)
    ), a AS (
        SELECT w.i, x.t COLLATE "C" AS t, false AS stem
          FROM w, LATERAL unnest(tsvector_to_array(to_tsvector('simple', w.f))) AS x(t)
        UNION
        SELECT w.i, x.t COLLATE "C", true
          FROM w, unnest(configs) AS c(cfg),
               LATERAL unnest(tsvector_to_array(to_tsvector(c.cfg, w.f))) AS x(t)
    ), k AS MATERIALIZED (
        SELECT a.i, a.t, a.stem, (SELECT l.docs FROM search_lexicon l WHERE l.term = a.t) AS docs,
               char_length(a.t) >= 4 AND EXISTS (
                   SELECT 1 FROM search_lexicon p
                    WHERE p.term > a.t AND p.term < a.t || chr(1114111)) AS has_prefix
          FROM a
    ), typo AS MATERIALIZED (
        SELECT n.i, n.t, s.term COLLATE "C" AS term, s.docs, s.sim, s.ord::int,
               max(s.sim) OVER (PARTITION BY n.i, n.t) AS best
          FROM (SELECT DISTINCT i, t FROM k
                 WHERE NOT stem AND i <= nwords AND char_length(t) >= 4
                   AND NOT EXISTS (SELECT 1 FROM k k2 WHERE k2.i = k.i AND (k2.docs IS NOT NULL OR k2.has_prefix))) n,
               LATERAL offer_similar_terms(n.t, 3) WITH ORDINALITY AS s(term, docs, sim, ord)
    ), fixes AS MATERIALIZED (
        SELECT * FROM typo WHERE sim >= best - 0.1
    ), terms AS MATERIALIZED (
        SELECT array_agg(DISTINCT term) AS terms FROM (
            SELECT t AS term FROM k WHERE docs IS NOT NULL
            UNION ALL
            SELECT term FROM fixes
            UNION ALL
            SELECT l.term FROM (SELECT DISTINCT t FROM k WHERE has_prefix) pre,
                   LATERAL (SELECT term FROM search_lexicon l WHERE l.term > pre.t AND l.term < pre.t || chr(1114111)) l
        ) x
    )
    SELECT 'k' AS kind, i, t::text, stem, docs, has_prefix, NULL::real AS sim, NULL::int AS ord,
           NULL::text AS category, NULL::bytea AS offers, NULL::bytea AS weights
      FROM k
    UNION ALL
    SELECT 't', i, t::text, NULL, docs, NULL, sim, ord, term::text, NULL, NULL FROM fixes
    UNION ALL
    SELECT 'p', NULL, p.term::text, NULL, NULL, NULL, NULL, NULL, p.category, p.offers, p.weights
      FROM search_postings p WHERE p.term = ANY ((SELECT terms FROM terms)::text[])
    UNION ALL
    SELECT 'w', NULL, s.term::text, NULL, NULL, NULL, s.weight, NULL, s.category, NULL, NULL
      FROM search_keywords s WHERE s.term = ANY ((SELECT terms FROM terms)::text[])
    UNION ALL
    SELECT 'n', NULL, NULL, NULL, value::int, NULL, NULL, NULL, NULL, NULL, NULL
      FROM search_meta WHERE key = 'docs';
END
$$;
-- +goose StatementEnd
DROP TABLE search_requests;
DROP TABLE lexicon_additions;
DROP TABLE offer_concepts;
