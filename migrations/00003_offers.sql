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
CREATE INDEX offers_category ON offers (category) WHERE active;
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

-- The search index: one row per offer and language (lang '*' holds the
-- language-neutral parts: tags, organisation, venue). doc has the folded
-- words ('simple') and their stems (the language's snowball stemmer),
-- weighted A title and tags, B organisation, C description, D venue.
CREATE TABLE offer_search (
    offer_id bigint NOT NULL REFERENCES offers (id) ON DELETE CASCADE,
    lang     text NOT NULL,
    doc      tsvector NOT NULL,
    PRIMARY KEY (offer_id, lang)
);
CREATE INDEX offer_search_doc ON offer_search USING gin (doc);

-- Every word and stem of the index and of the category keywords, with the
-- number of index rows holding it: query words are checked against it and,
-- if unknown, corrected to the most similar words (pg_trgm).
CREATE TABLE search_lexicon (
    term text COLLATE "C" PRIMARY KEY,
    docs integer NOT NULL
);
CREATE INDEX search_lexicon_trgm ON search_lexicon USING gin (term gin_trgm_ops);

-- Category keywords (internal/offer/keywords.go), folded and stemmed like
-- the offers, synced from the binary's list on start.
CREATE TABLE search_keywords (
    category text NOT NULL,
    lang     text NOT NULL,
    keyword  text NOT NULL,
    term     text COLLATE "C" NOT NULL,
    weight   real NOT NULL  -- 1 / number of words of the keyword
);
CREATE INDEX search_keywords_term ON search_keywords (term);

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
DROP TABLE search_lexicon;
DROP TABLE offer_search;
DROP TABLE offer_hours;
DROP TABLE offer_texts;
DROP TABLE offers;
DROP FUNCTION offer_ts_config(text);
DROP FUNCTION offer_fold(text);
ALTER TABLE organisations DROP COLUMN contact_person;
