-- +goose Up
-- Messages the bot sends on its own (reminders, notices, broadcasts), as
-- rows with a due time. See internal/notify.
CREATE TABLE notifications (
    id            bigserial PRIMARY KEY,
    kind          text NOT NULL,
    user_id       bigint NOT NULL,            -- recipient (Telegram user id)
    key           text NOT NULL UNIQUE,       -- one notification per key, ever
    data          jsonb NOT NULL DEFAULT '{}'::jsonb,
    due_at        timestamptz NOT NULL,
    expires_at    timestamptz,
    status        text NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'sent', 'dropped')),
    claimed_until timestamptz,                -- lease of the worker sending it
    attempts      integer NOT NULL DEFAULT 0,
    last_error    text NOT NULL DEFAULT '',
    sent_at       timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- The worker's query: pending rows by due time.
CREATE INDEX notifications_due ON notifications (due_at) WHERE status = 'pending';
CREATE INDEX notifications_user ON notifications (user_id);

-- +goose Down
DROP TABLE notifications;
