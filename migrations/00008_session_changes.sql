-- +goose Up
-- Every change of what a session holds (the user, their flow state, their
-- offer filters; internal/postgres, SessionStore) is announced with the
-- user's id: a polling bot keeps sessions in memory (internal/conversation,
-- Cache) and forgets a user's when told.
--
-- Two ways, for two kinds of writer:
--   * NOTIFY netzbot_sessions, delivered at commit to every listener: the
--     way changes from other processes (a CLI, psql) arrive, a moment later.
--   * a NOTICE to the writing connection itself, sent while the statement
--     runs, but only to netzbot's own connections (application_name
--     netzbot…, set by postgres.Open), not to psql. The bot then forgets the
--     session as soon as its own write commits, before the next update is
--     handled.
-- A TRUNCATE announces '*': every session.

-- +goose StatementBegin
CREATE FUNCTION session_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    uid bigint;
BEGIN
    IF TG_LEVEL = 'STATEMENT' THEN
        PERFORM pg_notify('netzbot_sessions', '*');
        IF current_setting('application_name') LIKE 'netzbot%' THEN
            RAISE NOTICE 'netzbot_session *';
        END IF;
        RETURN NULL;
    END IF;
    -- plpgsql prepares a branch when it first runs it, per table: users
    -- never reaches user_id, nor the others id.
    IF TG_TABLE_NAME = 'users' THEN
        IF TG_OP = 'DELETE' THEN uid := OLD.id; ELSE uid := NEW.id; END IF;
    ELSE
        IF TG_OP = 'DELETE' THEN uid := OLD.user_id; ELSE uid := NEW.user_id; END IF;
    END IF;
    PERFORM pg_notify('netzbot_sessions', uid::text);
    IF current_setting('application_name') LIKE 'netzbot%' THEN
        RAISE NOTICE 'netzbot_session %', uid;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER users_session_changed AFTER INSERT OR UPDATE OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION session_changed();
CREATE TRIGGER users_session_truncated AFTER TRUNCATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION session_changed();
CREATE TRIGGER conversations_session_changed AFTER INSERT OR UPDATE OR DELETE ON conversations
    FOR EACH ROW EXECUTE FUNCTION session_changed();
CREATE TRIGGER conversations_session_truncated AFTER TRUNCATE ON conversations
    FOR EACH STATEMENT EXECUTE FUNCTION session_changed();
CREATE TRIGGER offer_filters_session_changed AFTER INSERT OR UPDATE OR DELETE ON offer_filters
    FOR EACH ROW EXECUTE FUNCTION session_changed();
CREATE TRIGGER offer_filters_session_truncated AFTER TRUNCATE ON offer_filters
    FOR EACH STATEMENT EXECUTE FUNCTION session_changed();

-- +goose Down
DROP TRIGGER offer_filters_session_truncated ON offer_filters;
DROP TRIGGER offer_filters_session_changed ON offer_filters;
DROP TRIGGER conversations_session_truncated ON conversations;
DROP TRIGGER conversations_session_changed ON conversations;
DROP TRIGGER users_session_truncated ON users;
DROP TRIGGER users_session_changed ON users;
DROP FUNCTION session_changed();
