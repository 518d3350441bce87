-- +goose Up
-- Consultation booking: services, counsellors, their weekly hours and
-- exceptions, bookings and the waitlist. See internal/booking.
--
-- No double booking is enforced here, not only in the application: two
-- exclusion constraints over tstzrange (btree_gist lets bigint take part in
-- a GiST index with =) keep a counsellor's and a client's active
-- appointments apart, also under concurrent transactions.
CREATE EXTENSION IF NOT EXISTS btree_gist;

-- A kind of consultation ("migration counselling for adults").
CREATE TABLE booking_services (
    id                bigserial PRIMARY KEY,
    external_id       text NOT NULL UNIQUE,              -- stable id used by imports
    organisation_id   bigint REFERENCES organisations (id) ON DELETE SET NULL,
    -- The offer of the offer directory this service belongs to, by its
    -- external id: a loose link, so either feature works without the other.
    offer_external_id text,
    name              jsonb NOT NULL DEFAULT '{}'::jsonb, -- {"de": "...", "ar": "..."}
    description       jsonb NOT NULL DEFAULT '{}'::jsonb,
    duration_minutes  integer NOT NULL CHECK (duration_minutes BETWEEN 5 AND 480),
    languages         text[] NOT NULL CHECK (cardinality(languages) > 0), -- languages it can be held in
    venue_name        text NOT NULL DEFAULT '',
    venue_address     text NOT NULL DEFAULT '',
    latitude          double precision,
    longitude         double precision,
    phone             text NOT NULL DEFAULT '',
    video_url         text NOT NULL DEFAULT '',
    position          integer NOT NULL DEFAULT 0,         -- order in the list
    active            boolean NOT NULL DEFAULT true,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX booking_services_offer ON booking_services (offer_external_id) WHERE offer_external_id IS NOT NULL;

-- A person who gives consultations. user_id is their Telegram account,
-- linked when they open their invite link.
CREATE TABLE counsellors (
    id             bigserial PRIMARY KEY,
    external_id    text NOT NULL UNIQUE,
    display_name   text NOT NULL,                         -- the name clients see
    user_id        bigint UNIQUE REFERENCES users (id) ON DELETE SET NULL,
    languages      text[] NOT NULL CHECK (cardinality(languages) > 0),
    buffer_minutes integer NOT NULL DEFAULT 0 CHECK (buffer_minutes BETWEEN 0 AND 240),
    phone          text NOT NULL DEFAULT '',               -- how clients reach them
    active         boolean NOT NULL DEFAULT true,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE counsellor_services (
    counsellor_id bigint NOT NULL REFERENCES counsellors (id) ON DELETE CASCADE,
    service_id    bigint NOT NULL REFERENCES booking_services (id) ON DELETE CASCADE,
    PRIMARY KEY (counsellor_id, service_id)
);
CREATE INDEX counsellor_services_service ON counsellor_services (service_id);

-- Invite links (t.me/<bot>?start=c_<token>): only a SHA-256 of the token is kept.
CREATE TABLE counsellor_invites (
    token_hash    bytea PRIMARY KEY,
    counsellor_id bigint NOT NULL REFERENCES counsellors (id) ON DELETE CASCADE,
    expires_at    timestamptz NOT NULL,
    used_at       timestamptz,
    used_by       bigint,
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- Weekly hours, in the local time of the bot (TZ_NAME, Europe/Berlin).
CREATE TABLE availability_rules (
    id            bigserial PRIMARY KEY,
    counsellor_id bigint NOT NULL REFERENCES counsellors (id) ON DELETE CASCADE,
    weekday       smallint NOT NULL CHECK (weekday BETWEEN 1 AND 7), -- ISO: 1 = Monday
    starts        time NOT NULL,
    ends          time NOT NULL CHECK (ends > starts),
    location      text NOT NULL DEFAULT ''
);
CREATE INDEX availability_rules_counsellor ON availability_rules (counsellor_id);

-- Absences (a whole day or some hours), holidays (counsellor_id NULL:
-- everyone) and extra hours on one date.
CREATE TABLE availability_exceptions (
    id            bigserial PRIMARY KEY,
    counsellor_id bigint REFERENCES counsellors (id) ON DELETE CASCADE,
    day           date NOT NULL,
    starts        time,                                   -- NULL with ends: the whole day
    ends          time,
    kind          text NOT NULL CHECK (kind IN ('absent', 'extra')),
    location      text NOT NULL DEFAULT '',
    source        text NOT NULL DEFAULT 'import' CHECK (source IN ('import', 'chat')),
    created_at    timestamptz NOT NULL DEFAULT now(),
    CHECK ((starts IS NULL) = (ends IS NULL)),
    CHECK (starts IS NULL OR ends > starts),
    CHECK (kind = 'absent' OR starts IS NOT NULL)
);
CREATE INDEX availability_exceptions_day ON availability_exceptions (day);

-- The waitlist of a service for a date range.
CREATE TABLE booking_waitlist (
    id          bigserial PRIMARY KEY,
    service_id  bigint NOT NULL REFERENCES booking_services (id) ON DELETE CASCADE,
    client_id   bigint REFERENCES users (id) ON DELETE CASCADE,
    client_name text NOT NULL DEFAULT '',
    language    text NOT NULL,
    first_day   date NOT NULL,
    last_day    date NOT NULL CHECK (last_day >= first_day),
    status      text NOT NULL DEFAULT 'waiting'
                CHECK (status IN ('waiting', 'offered', 'booked', 'left')),
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX booking_waitlist_once ON booking_waitlist (service_id, client_id) WHERE status IN ('waiting', 'offered');
CREATE INDEX booking_waitlist_queue ON booking_waitlist (service_id, created_at, id) WHERE status = 'waiting';

-- Appointments. A 'held' row is a free slot reserved for a client from the
-- waitlist until hold_until; 'expired' rows are holds that were not taken
-- (kept so the same slot is not offered to the same person twice).
-- Only the Telegram id, the first name and the optional topic are kept
-- about the client, and cleared after the retention period.
CREATE TABLE bookings (
    id               bigserial PRIMARY KEY,
    service_id       bigint NOT NULL REFERENCES booking_services (id),
    counsellor_id    bigint NOT NULL REFERENCES counsellors (id),
    client_id        bigint REFERENCES users (id) ON DELETE SET NULL, -- NULL once anonymised
    client_name      text NOT NULL DEFAULT '',
    language         text NOT NULL,
    topic            text NOT NULL DEFAULT '',
    slot             tstzrange NOT NULL,  -- the appointment, [start, end)
    busy             tstzrange NOT NULL,  -- slot plus the counsellor's buffer after it
    status           text NOT NULL
                     CHECK (status IN ('held', 'booked', 'cancelled', 'attended', 'no_show', 'expired')),
    hold_until       timestamptz,
    waitlist_id      bigint REFERENCES booking_waitlist (id) ON DELETE SET NULL,
    rescheduled_from bigint REFERENCES bookings (id) ON DELETE SET NULL,
    confirmed_at     timestamptz,         -- the client pressed "I'll be there"
    created_at       timestamptz NOT NULL,
    cancelled_at     timestamptz,
    cancelled_by     text CHECK (cancelled_by IN ('client', 'rescheduled', 'system')),
    anonymised_at    timestamptz,
    CHECK (NOT isempty(slot) AND lower_inc(slot) AND NOT upper_inc(slot)),
    CHECK (busy @> slot),
    CHECK (status <> 'held' OR hold_until IS NOT NULL),
    -- A counsellor gives one appointment at a time, buffer included.
    CONSTRAINT bookings_no_double_booking
        EXCLUDE USING gist (counsellor_id WITH =, busy WITH &&)
        WHERE (status IN ('held', 'booked', 'attended', 'no_show')),
    -- A client cannot hold two appointments at overlapping times.
    CONSTRAINT bookings_client_no_overlap
        EXCLUDE USING gist (client_id WITH =, slot WITH &&)
        WHERE (status IN ('held', 'booked'))
);
CREATE INDEX bookings_client ON bookings (client_id, status);
CREATE INDEX bookings_service_slot ON bookings USING gist (service_id, slot);
CREATE INDEX bookings_holds ON bookings (hold_until) WHERE status = 'held';
CREATE INDEX bookings_retention ON bookings (upper(slot)) WHERE anonymised_at IS NULL;

-- +goose Down
DROP TABLE bookings;
DROP TABLE booking_waitlist;
DROP TABLE availability_exceptions;
DROP TABLE availability_rules;
DROP TABLE counsellor_invites;
DROP TABLE counsellor_services;
DROP TABLE counsellors;
DROP TABLE booking_services;
