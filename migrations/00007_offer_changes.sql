-- +goose Up
-- Every change of the offer directory (what a search or a list can show)
-- is announced on the channel netzbot_offers, once per transaction at its
-- commit: running bots keep result pages in memory (internal/offer, Cache)
-- and forget them when told, whichever process made the change (the bot, a
-- CLI import).

-- +goose StatementBegin
CREATE FUNCTION offer_directory_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('netzbot_offers', '');
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER organisations_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON organisations
    FOR EACH STATEMENT EXECUTE FUNCTION offer_directory_changed();
CREATE TRIGGER offers_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON offers
    FOR EACH STATEMENT EXECUTE FUNCTION offer_directory_changed();
CREATE TRIGGER offer_texts_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON offer_texts
    FOR EACH STATEMENT EXECUTE FUNCTION offer_directory_changed();
CREATE TRIGGER offer_hours_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON offer_hours
    FOR EACH STATEMENT EXECUTE FUNCTION offer_directory_changed();
CREATE TRIGGER offer_search_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON offer_search
    FOR EACH STATEMENT EXECUTE FUNCTION offer_directory_changed();
CREATE TRIGGER search_postings_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON search_postings
    FOR EACH STATEMENT EXECUTE FUNCTION offer_directory_changed();
CREATE TRIGGER search_lexicon_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON search_lexicon
    FOR EACH STATEMENT EXECUTE FUNCTION offer_directory_changed();
CREATE TRIGGER search_keywords_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON search_keywords
    FOR EACH STATEMENT EXECUTE FUNCTION offer_directory_changed();

-- Saving a search text again keeps it from the search log's retention
-- (internal/postgres, SaveQuery): created_at is when it was last saved.
COMMENT ON COLUMN search_queries.created_at IS 'when the text was last searched; the retention job deletes older ones';

-- +goose Down
DROP TRIGGER search_keywords_changed ON search_keywords;
DROP TRIGGER search_lexicon_changed ON search_lexicon;
DROP TRIGGER search_postings_changed ON search_postings;
DROP TRIGGER offer_search_changed ON offer_search;
DROP TRIGGER offer_hours_changed ON offer_hours;
DROP TRIGGER offer_texts_changed ON offer_texts;
DROP TRIGGER offers_changed ON offers;
DROP TRIGGER organisations_changed ON organisations;
DROP FUNCTION offer_directory_changed();
COMMENT ON COLUMN search_queries.created_at IS NULL;
