-- The current report versions are stored (pipelines/identity/current.py): as a view over
-- report_version, current_report ranked every report version again in every query that read it; it
-- now reads this table, which the identity stage, run by every run after this migration, fills.
CREATE TABLE IF NOT EXISTS report_version_current (
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
