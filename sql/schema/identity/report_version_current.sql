-- The rows of report_version that it marks is_current, stored by the identity stage
-- (pipelines/identity/current.py) after the reports have their organs; read through current_report.
CREATE TABLE report_version_current (
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

COMMENT ON TABLE report_version_current IS 'The rows of report_version marked is_current, stored by the identity stage; read them through the current_report view. One report version per organ and year: the one every mart, rule and site page reads. Prefers a statutory format, then the latest publication (a re-publication with different numbers wins; a later copy of the same numbers does not), then fewer guessed cells, html > docx > pdf > text, then report_id; report_version lists the others.';
COMMENT ON COLUMN report_version_current.report_id IS 'The chosen report version, key into dim_report.';
COMMENT ON COLUMN report_version_current.agency_id IS 'Organ, key into dim_agency.';
COMMENT ON COLUMN report_version_current.year IS 'Statistics year.';
COMMENT ON COLUMN report_version_current.format_version IS 'F2019, F2021 or UNKNOWN (a report without readable tables still counts as published).';
COMMENT ON COLUMN report_version_current.medium IS 'html, text, pdf, docx or scan.';
COMMENT ON COLUMN report_version_current.file_name IS 'Source file of the chosen version.';
COMMENT ON COLUMN report_version_current.loaded_at IS 'Start of the run that first loaded the chosen version.';
COMMENT ON COLUMN report_version_current.uncertain_cells IS 'Cells of the chosen version the parser had to guess.';
COMMENT ON COLUMN report_version_current.versions IS 'Report versions (files) loaded for this organ-year, the chosen one included.';
