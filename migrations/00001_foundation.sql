-- +goose Up
-- Telegram users the bot has talked to. Only what the bot needs: the id,
-- the language choice and whether Telegram still lets us message them.
CREATE TABLE users (
    id                bigint PRIMARY KEY,            -- Telegram user id
    language          text,                          -- chosen locale, NULL until the user picks one
    telegram_language text NOT NULL DEFAULT '',      -- language_code Telegram reported last
    role              text NOT NULL DEFAULT 'public'
                      CHECK (role IN ('public', 'member', 'counsellor', 'coordinator', 'admin')),
    active            boolean NOT NULL DEFAULT true, -- false once Telegram answered 403 (blocked)
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);

-- Where a user is inside a multi-step flow, so a restart continues it.
CREATE TABLE conversations (
    user_id    bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    flow       text NOT NULL,
    step       text NOT NULL DEFAULT '',
    data       jsonb NOT NULL DEFAULT '{}'::jsonb,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE conversations;
DROP TABLE users;
