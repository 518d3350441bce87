-- +goose Up
-- The offer directory ("Angebotsplaner"): offers of the member
-- organisations, their texts in several languages, opening hours, and the
-- search index. See internal/offer and internal/postgres/offers.go; the
-- indexes are described in README.md ("Search indexes").
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;

ALTER TABLE organisations ADD COLUMN contact_person text NOT NULL DEFAULT '';

-- offer_fold is the one normalisation of every searchable text and of
-- every query word: lower case, accents and umlauts folded (unaccent, and
-- ae/oe/ue after a consonant so that "ueber" = "über" but "Frauen" stays), Arabic and Persian letter variants
-- unified, Arabic diacritics, tatweel and the definite article removed,
-- ZWNJ and slashes made word breaks. IMMUTABLE so indexes may use it
-- (unaccent itself is only STABLE because its dictionary could change).
-- +goose StatementBegin
CREATE FUNCTION offer_fold(t text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT regexp_replace(
           translate(
             regexp_replace(regexp_replace(
               lower(public.unaccent('public.unaccent'::regdictionary, t)),
               '[\u064B-\u065F\u0670]', '', 'g'),
               '\m(و|ف|ب|ك)?(ال|لل)(?=\S{3})', '', 'g'),
             'أإآٱىةؤئیکۀ' || chr(8204) || '/_' || chr(1600),
             'اااايهوييكه' || '   '),
           '(?<![aeiou])([aou])e', '\1', 'g')
$$;
-- +goose StatementEnd

-- The stemmer of a language, 'simple' where PostgreSQL has none.
-- +goose StatementBegin
CREATE FUNCTION offer_ts_config(lang text) RETURNS regconfig
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT CASE lang
    WHEN 'de' THEN 'pg_catalog.german'
    WHEN 'en' THEN 'pg_catalog.english'
    WHEN 'ru' THEN 'pg_catalog.russian'
    WHEN 'tr' THEN 'pg_catalog.turkish'
    WHEN 'ro' THEN 'pg_catalog.romanian'
    WHEN 'ar' THEN 'pg_catalog.arabic'
    ELSE 'pg_catalog.simple' END::regconfig
$$;
-- +goose StatementEnd

CREATE TABLE offers (
    id              bigserial PRIMARY KEY,
    external_id     text NOT NULL UNIQUE,                 -- stable id used by imports
    organisation_id bigint NOT NULL REFERENCES organisations (id),
    category        text NOT NULL,                        -- internal/offer taxonomy
    tags            text[] NOT NULL DEFAULT '{}',
    source_language text NOT NULL DEFAULT 'de',
    cost            text NOT NULL DEFAULT 'free' CHECK (cost IN ('free', 'reduced', 'fee')),
    cost_note       jsonb NOT NULL DEFAULT '{}'::jsonb,   -- {"de": "5 € pro Termin"}
    target_groups   text[] NOT NULL DEFAULT '{}',
    languages       text[] NOT NULL DEFAULT '{}',         -- spoken at the offer, ISO 639 codes
    valid_from      date,
    valid_until     date,
    active          boolean NOT NULL DEFAULT true,
    venue_kind      text NOT NULL DEFAULT 'place' CHECK (venue_kind IN ('place', 'online', 'phone')),
    venue_name      text NOT NULL DEFAULT '',
    street          text NOT NULL DEFAULT '',
    postcode        text NOT NULL DEFAULT '',
    district        text NOT NULL DEFAULT '',
    latitude        double precision,
    longitude       double precision,
    wheelchair      boolean,                               -- NULL: unknown
    by_appointment  boolean NOT NULL DEFAULT false,
    hours_note      jsonb NOT NULL DEFAULT '{}'::jsonb,
    phone           text NOT NULL DEFAULT '',
    email           text NOT NULL DEFAULT '',
    website         text NOT NULL DEFAULT '',
    booking_url     text NOT NULL DEFAULT '',
    contact_person  text NOT NULL DEFAULT '',
    content_hash    text NOT NULL DEFAULT '',              -- of the imported record: "unchanged" detection
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CHECK ((latitude IS NULL) = (longitude IS NULL))
);
-- (category, id): a category's first offers in id order without a sort,
-- for listing a category and for the search's category candidates.
CREATE INDEX offers_category ON offers (category, id) WHERE active;
CREATE INDEX offers_organisation ON offers (organisation_id);
-- "Near me": a bounding box on latitude narrows the rows whose Haversine
-- distance is computed.
CREATE INDEX offers_location ON offers (latitude, longitude) WHERE active AND latitude IS NOT NULL;

-- Title and description per language.
CREATE TABLE offer_texts (
    offer_id    bigint NOT NULL REFERENCES offers (id) ON DELETE CASCADE,
    lang        text NOT NULL,
    title       text NOT NULL,
    description text NOT NULL DEFAULT '',
    status      text NOT NULL DEFAULT 'original' CHECK (status IN ('original', 'reviewed', 'machine')),
    PRIMARY KEY (offer_id, lang)
);

-- Weekly opening hours, several ranges a day. weekday: 1 = Monday (ISO).
CREATE TABLE offer_hours (
    offer_id bigint NOT NULL REFERENCES offers (id) ON DELETE CASCADE,
    weekday  smallint NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    opens    time NOT NULL,
    closes   time NOT NULL CHECK (closes > opens),
    PRIMARY KEY (offer_id, weekday, opens)
);

-- The search index. A search must not touch every matching document (a
-- common word is in thousands), so it is an inverted index the search
-- reads with a few index lookups and scores itself (internal/postgres/
-- offer_search.go); README.md, "Search and its indexes", explains it.
--
-- offer_search: one tsvector per offer, all its languages merged, the
-- source of the postings: the folded words ('simple') and their stems (the
-- language's snowball stemmer) of every text, weighted A title and tags,
-- B organisation, C description, D venue. Rebuilt per changed offer.
CREATE TABLE offer_search (
    offer_id bigint PRIMARY KEY REFERENCES offers (id) ON DELETE CASCADE,
    doc      tsvector NOT NULL
);

-- tsvector_concat as an aggregate: the texts of an offer as one document.
CREATE AGGREGATE offer_tsvector_agg(tsvector) (SFUNC = tsvector_concat, STYPE = tsvector, INITCOND = '');

-- search_postings: for each word or stem and category, the active offers
-- of that category holding it, packed for a fast read: offers their ids
-- in ascending order, 8 bytes each (int8send), weights one byte each, the
-- word's weight in that offer in tenths (its best place: 10 title/tags,
-- 5 organisation, 3 description, 1 venue). A query word costs one btree
-- lookup (a prefix: a range scan) and the rows found; nothing else of an
-- offer is read until the page is chosen. Rebuilt from offer_search on
-- import.
CREATE TABLE search_postings (
    term     text COLLATE "C" NOT NULL,
    category text NOT NULL,
    offers   bytea NOT NULL,
    weights  bytea NOT NULL,
    PRIMARY KEY (term, category)
);

-- Every word and stem of the index and of the category keywords, with the
-- number of active offers holding it (its rarity): query words are checked
-- against it and, if unknown, corrected to the most similar words (pg_trgm,
-- trigram GIN index, see offer_similar_terms).
CREATE TABLE search_lexicon (
    term text COLLATE "C" PRIMARY KEY,
    docs integer NOT NULL
);
CREATE INDEX search_lexicon_trgm ON search_lexicon USING gin (term gin_trgm_ops);

-- The known words most like an unknown one, for typo tolerance: the
-- trigram GIN index finds them with the % operator, whose threshold is
-- the setting below while the function runs (the same as minSimilarity in
-- offer_search.go), so the index, not a recheck, drops the dissimilar ones.
-- +goose StatementBegin
CREATE FUNCTION offer_similar_terms(word text, n integer)
RETURNS TABLE (term text, docs integer, sim real)
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET pg_trgm.similarity_threshold = 0.4 AS $$
BEGIN
  RETURN QUERY
    SELECT l.term::text, l.docs, similarity(l.term, word) AS sim
      FROM search_lexicon l
     WHERE l.term % word
     ORDER BY sim DESC, l.docs DESC, l.term
     LIMIT n;
END
$$;
-- +goose StatementEnd

-- Category keywords (internal/offer/keywords.go), folded and stemmed like
-- the offers (term, one row per word and stem), and folded whole (folded,
-- for "did you mean"); synced from the binary's list on start.
CREATE TABLE search_keywords (
    category text NOT NULL,
    lang     text NOT NULL,
    keyword  text NOT NULL,
    folded   text NOT NULL,
    term     text COLLATE "C" NOT NULL,
    weight   real NOT NULL  -- 1 / number of words of the keyword
);
CREATE INDEX search_keywords_term ON search_keywords (term);

-- offer_search_expand is the first of a search's round trips
-- (internal/postgres/offer_search.go, expand): query words (words; those
-- after the first nwords are compounds of two adjacent words) to their
-- forms, folded ('simple') and stemmed with every stemmer in configs
-- (rows 'k': the word's number i, the form, whether a stem, the number of
-- offers holding it, whether longer known words start with it); for a word
-- of which no form is known, the known words most like its tokens (rows
-- 't': the token, similarity, rank, the known word), the typo tolerance;
-- the postings of every known term these forms match, exactly or as a
-- prefix (rows 'p'); the category keyword terms among them (rows 'w',
-- weight in sim); and the number of active offers (row 'n', in docs).
-- All by index lookups. A function so that its plan is made once per
-- connection (plan_cache_mode below) instead of on every search: planning
-- this statement costs as much as running it.
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

CREATE TABLE search_meta (
    key   text PRIMARY KEY,
    value text NOT NULL
);

-- Search texts, without any user: paged results and feedback refer to them.
CREATE TABLE search_queries (
    id         bigserial PRIMARY KEY,
    query      text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Searches that found nothing, folded and without any user, for
-- `netzbot report searches`.
CREATE TABLE search_misses (
    query      text NOT NULL,
    lang       text NOT NULL,
    count      integer NOT NULL DEFAULT 1,
    first_seen timestamptz NOT NULL DEFAULT now(),
    last_seen  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (query, lang)
);

-- "Helpful / not helpful" under results, without any user.
CREATE TABLE search_feedback (
    query_id   bigint NOT NULL REFERENCES search_queries (id) ON DELETE CASCADE,
    lang       text NOT NULL,
    helpful    boolean NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX search_feedback_query ON search_feedback (query_id);

-- A user's search filters and last shared location.
CREATE TABLE offer_filters (
    user_id      bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    my_language  boolean NOT NULL DEFAULT false,
    free_only    boolean NOT NULL DEFAULT false,
    target_group text NOT NULL DEFAULT '',
    district     text NOT NULL DEFAULT '',
    latitude     double precision,
    longitude    double precision,
    located_at   timestamptz,
    updated_at   timestamptz NOT NULL DEFAULT now()
);

-- "Report outdated information" on an offer card.
CREATE TABLE offer_reports (
    id         bigserial PRIMARY KEY,
    offer_id   bigint NOT NULL REFERENCES offers (id) ON DELETE CASCADE,
    user_id    bigint NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX offer_reports_offer ON offer_reports (offer_id, user_id);

-- +goose Down
DROP TABLE offer_reports;
DROP TABLE offer_filters;
DROP TABLE search_feedback;
DROP TABLE search_misses;
DROP TABLE search_queries;
DROP TABLE search_meta;
DROP TABLE search_keywords;
DROP FUNCTION offer_search_expand(text[], integer, regconfig[]);
DROP FUNCTION offer_similar_terms(text, integer);
DROP TABLE search_lexicon;
DROP TABLE search_postings;
DROP AGGREGATE offer_tsvector_agg(tsvector);
DROP TABLE offer_search;
DROP TABLE offer_hours;
DROP TABLE offer_texts;
DROP TABLE offers;
DROP FUNCTION offer_ts_config(text);
DROP FUNCTION offer_fold(text);
ALTER TABLE organisations DROP COLUMN contact_person;
