-- +goose Up
-- The network's own life: members of the member organisations, invites,
-- working groups, meetings with their occurrences, answers (RSVP) and
-- broadcasts. Reminders and notices are rows of the notifications queue
-- (00004); see internal/member and internal/meeting.

-- A Telegram user linked to a member organisation. Their role (member,
-- coordinator, admin) is users.role; this row says where they belong and
-- how they want to be reminded.
CREATE TABLE members (
    user_id         bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    organisation_id bigint NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    display_name    text NOT NULL DEFAULT '',          -- from Telegram, for attendee lists
    active          boolean NOT NULL DEFAULT true,     -- false once they left the network
    paused          boolean NOT NULL DEFAULT false,    -- all reminders paused
    lead_minutes    integer[],                         -- own reminder lead times; NULL: the meeting's
    joined_at       timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX members_organisation ON members (organisation_id) WHERE active;

-- Standing (ends_on NULL) or temporary working groups.
CREATE TABLE working_groups (
    id             bigserial PRIMARY KEY,
    external_id    text UNIQUE,                        -- stable id used by imports
    name           jsonb NOT NULL,                     -- {"de": "...", "en": "..."}
    description    jsonb NOT NULL DEFAULT '{}'::jsonb,
    ends_on        date,                               -- last day of a temporary group
    needs_approval boolean NOT NULL DEFAULT false,     -- joining needs a coordinator's yes
    active         boolean NOT NULL DEFAULT true,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE group_members (
    group_id  bigint NOT NULL REFERENCES working_groups (id) ON DELETE CASCADE,
    user_id   bigint NOT NULL REFERENCES members (user_id) ON DELETE CASCADE,
    status    text NOT NULL DEFAULT 'active' CHECK (status IN ('pending', 'active')),
    muted     boolean NOT NULL DEFAULT false,          -- no reminders for this group's sessions
    joined_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user ON group_members (user_id);

-- Invite links. Only the SHA-256 of the token is kept: whoever reads the
-- database cannot use a link.
CREATE TABLE invites (
    id              bigserial PRIMARY KEY,
    token_hash      bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    organisation_id bigint NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    role            text NOT NULL CHECK (role IN ('member', 'coordinator')),
    group_ids       bigint[] NOT NULL DEFAULT '{}',
    max_uses        integer NOT NULL DEFAULT 1 CHECK (max_uses > 0),
    uses            integer NOT NULL DEFAULT 0 CHECK (uses <= max_uses),
    expires_at      timestamptz NOT NULL,
    created_by      bigint,                            -- Telegram user id; NULL from the CLI
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE invite_uses (
    invite_id bigint NOT NULL REFERENCES invites (id) ON DELETE CASCADE,
    user_id   bigint NOT NULL,
    used_at   timestamptz NOT NULL,
    PRIMARY KEY (invite_id, user_id)
);

-- Network meetings (group_id NULL: all members) and working-group sessions.
-- A recurring one has a cron-style rule in TZ_NAME; its occurrences are
-- rows, expanded ahead up to expanded_until.
CREATE TABLE meetings (
    id                   bigserial PRIMARY KEY,
    external_id          text UNIQUE,
    group_id             bigint REFERENCES working_groups (id) ON DELETE CASCADE,
    organisation_id      bigint REFERENCES organisations (id) ON DELETE SET NULL, -- host: its coordinators manage it
    title                jsonb NOT NULL,
    description          jsonb NOT NULL DEFAULT '{}'::jsonb,
    agenda               text NOT NULL DEFAULT '',
    venue                text NOT NULL DEFAULT '',
    online_url           text NOT NULL DEFAULT '',
    starts_at            timestamptz NOT NULL,         -- the first (or only) occurrence
    duration_minutes     integer NOT NULL CHECK (duration_minutes BETWEEN 1 AND 1440),
    recurrence           text NOT NULL DEFAULT '',     -- cron-style rule; '' = once
    repeat_until         timestamptz,
    registration_minutes integer CHECK (registration_minutes > 0), -- registration closes this long before each start
    lead_minutes         integer[] NOT NULL DEFAULT '{10080,1440,120}',
    change_seq           integer NOT NULL DEFAULT 0,   -- counts notified changes
    expanded_until       timestamptz,
    created_by           bigint,
    cancelled_at         timestamptz,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX meetings_group ON meetings (group_id);

CREATE TABLE meeting_occurrences (
    id           bigserial PRIMARY KEY,
    meeting_id   bigint NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    starts_at    timestamptz NOT NULL,
    ends_at      timestamptz NOT NULL CHECK (ends_at > starts_at),
    revision     integer NOT NULL DEFAULT 1,           -- +1 whenever starts_at moves; part of reminder keys
    cancelled_at timestamptz,
    UNIQUE (meeting_id, starts_at)
);
CREATE INDEX meeting_occurrences_upcoming ON meeting_occurrences (starts_at) WHERE cancelled_at IS NULL;

CREATE TABLE rsvps (
    occurrence_id bigint NOT NULL REFERENCES meeting_occurrences (id) ON DELETE CASCADE,
    user_id       bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    response      text NOT NULL CHECK (response IN ('yes', 'no', 'maybe')),
    responded_at  timestamptz NOT NULL,
    PRIMARY KEY (occurrence_id, user_id)
);

-- Announcements to all members, one organisation or one working group.
-- Each recipient is one notification (kind 'broadcast'); the worker reports
-- progress and the result to the sender.
CREATE TABLE broadcasts (
    id                bigserial PRIMARY KEY,
    sender_id         bigint NOT NULL,
    audience          text NOT NULL CHECK (audience IN ('all', 'organisation', 'group')),
    audience_id       bigint,
    body              text NOT NULL,
    total             integer NOT NULL,
    progress_reported integer NOT NULL DEFAULT 0,      -- percent last reported to the sender
    finished_at       timestamptz,
    created_at        timestamptz NOT NULL
);
CREATE INDEX broadcasts_open ON broadcasts (id) WHERE finished_at IS NULL;

-- The broadcast's rows in the queue, for progress and the final report.
CREATE INDEX notifications_broadcast ON notifications ((data ->> 'broadcast')) WHERE kind = 'broadcast';

-- +goose Down
DROP INDEX notifications_broadcast;
DROP TABLE broadcasts;
DROP TABLE rsvps;
DROP TABLE meeting_occurrences;
DROP TABLE meetings;
DROP TABLE invite_uses;
DROP TABLE invites;
DROP TABLE group_members;
DROP TABLE working_groups;
DROP TABLE members;
