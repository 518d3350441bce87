-- +goose Up
-- The network's member actors: associations, counselling services, language
-- schools, authorities. Offers, consultation services and members belong
-- to one of them.
CREATE TABLE organisations (
    id          bigserial PRIMARY KEY,
    external_id text NOT NULL UNIQUE,                 -- stable id used by imports
    name        text NOT NULL,
    description jsonb NOT NULL DEFAULT '{}'::jsonb,   -- {"de": "...", "en": "..."}
    website     text NOT NULL DEFAULT '',
    email       text NOT NULL DEFAULT '',
    phone       text NOT NULL DEFAULT '',
    active      boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE organisations;
