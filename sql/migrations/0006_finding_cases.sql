-- Findings as cases (issue 18): the case log and its history kept by the rules stage across nights,
-- the staff decisions joined from data/decisions.csv, and the rows of that file that could not be used.

CREATE TABLE IF NOT EXISTS finding_case_log (
    case_id VARCHAR PRIMARY KEY,
    agency_id VARCHAR NOT NULL,
    year INTEGER NOT NULL,
    rule_id VARCHAR NOT NULL,
    instance VARCHAR NOT NULL,
    severity VARCHAR NOT NULL CHECK (severity IN ('error', 'warning', 'info')),
    status VARCHAR NOT NULL CHECK (status IN ('open', 'resolved', 'reopened')),
    first_seen TIMESTAMPTZ NOT NULL,
    status_since TIMESTAMPTZ NOT NULL,
    last_seen TIMESTAMPTZ,
    report_id VARCHAR NOT NULL,
    resolved_by VARCHAR,
    printed VARCHAR NOT NULL,
    message_zh VARCHAR NOT NULL,
    reopened INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS finding_case_event (
    case_id VARCHAR NOT NULL,
    seen_at TIMESTAMPTZ NOT NULL,
    event VARCHAR NOT NULL
    CHECK (
        event IN (
            'opened', 'resolved', 'reopened', 'numbers_changed', 'decided', 'decision_lapsed', 'decision_withdrawn'
        )
    ),
    report_id VARCHAR,
    detail_zh VARCHAR NOT NULL,
    PRIMARY KEY (case_id, seen_at, event)
);

CREATE TABLE IF NOT EXISTS case_decision (
    case_id VARCHAR PRIMARY KEY,
    decision VARCHAR NOT NULL CHECK (decision IN ('confirmed', 'explained', 'false_alarm')),
    who VARCHAR NOT NULL,
    decided_on DATE NOT NULL,
    note VARCHAR,
    printed VARCHAR NOT NULL,
    stale BOOLEAN NOT NULL,
    line INTEGER NOT NULL,
    joined_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS decision_issue (
    line INTEGER NOT NULL,
    case_id VARCHAR,
    problem_zh VARCHAR NOT NULL
);
