-- current_report becomes a table that the identity stage writes (pipelines/identity/current.py): as a
-- view over report_version, every query that read it ranked every report version again. The identity
-- stage, which every run runs after this migration, fills it.
DROP VIEW IF EXISTS current_report;

CREATE TABLE IF NOT EXISTS current_report (
    report_id VARCHAR PRIMARY KEY,
    agency_id VARCHAR NOT NULL,
    year INTEGER NOT NULL,
    format_version VARCHAR,
    medium VARCHAR,
    file_name VARCHAR,
    loaded_at TIMESTAMP WITH TIME ZONE,
    uncertain_cells BIGINT,
    versions BIGINT
);
