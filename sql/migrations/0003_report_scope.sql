-- Report scope (region-wide, own office or unknown) becomes an identity fact, read by the region rule
-- H-X1 and the totals, and the organ links H-X1 used to read from organs.json are gone: the rule takes
-- parents from dim_agency_profile. Guessed cells get their Chinese explanation (guessed_cell, written
-- by the rules stage).
DROP TABLE IF EXISTS agency_parent;

CREATE TABLE IF NOT EXISTS report_scope (
    report_id VARCHAR PRIMARY KEY,
    agency_id VARCHAR,
    year INTEGER,
    scope VARCHAR NOT NULL CHECK (scope IN ('region', 'office', 'unknown')),
    basis VARCHAR NOT NULL CHECK (basis IN ('declared', 'wording', 'sum', 'organ_kind', 'none')),
    declared VARCHAR CHECK (declared IN ('region', 'office')),
    declared_note VARCHAR,
    wording VARCHAR CHECK (wording IN ('region', 'office', 'conflict')),
    wording_strength VARCHAR CHECK (wording_strength IN ('strong', 'weak')),
    wording_text VARCHAR,
    sum_check VARCHAR
    CHECK (sum_check IN ('equal', 'mostly_equal', 'partly_equal', 'differs', 'below_parts', 'incomplete', 'no_parts')),
    parts_due INTEGER,
    parts_present INTEGER,
    cells_compared INTEGER,
    cells_equal INTEGER,
    evidence_zh VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS guessed_cell (
    report_id VARCHAR NOT NULL,
    cell_id VARCHAR NOT NULL,
    format VARCHAR NOT NULL,
    value DOUBLE,
    note VARCHAR,
    run_text VARCHAR,
    chosen VARCHAR,
    readings VARCHAR[] NOT NULL,
    splits INTEGER,
    why_zh VARCHAR NOT NULL,
    PRIMARY KEY (report_id, cell_id)
);
