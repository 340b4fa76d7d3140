-- One row per source file version: the content hash is the key, so a corrected re-publication of a
-- report is a second row and every number stays traceable to the exact bytes it came from.
CREATE TABLE dim_report (
    report_id VARCHAR PRIMARY KEY,
    file_name VARCHAR NOT NULL,
    medium VARCHAR NOT NULL,
    format_version VARCHAR NOT NULL CHECK (format_version IN ('F2019', 'F2021', 'UNKNOWN')),
    year INTEGER,
    agency_id VARCHAR,
    agency_name VARCHAR,
    title VARCHAR,
    warnings VARCHAR[] NOT NULL,
    parser_version VARCHAR NOT NULL,
    loaded_at TIMESTAMPTZ NOT NULL
);

COMMENT ON TABLE dim_report IS 'Parsed annual reports, one row per source file version (content hash). Join fact_cell and fact_section on report_id.';
COMMENT ON COLUMN dim_report.report_id IS 'sha256 (hex) of the source file bytes: the report version. Identical bytes under two file names are one report.';
COMMENT ON COLUMN dim_report.file_name IS 'Source file name (path relative to the inbox) under which these bytes were last loaded.';
COMMENT ON COLUMN dim_report.medium IS 'Medium the parser read: html, text, pdf, docx or scan (read by OCR: image files, scanned PDF pages).';
COMMENT ON COLUMN dim_report.format_version IS 'Statutory table format: F2019 (trial format, 2019 and 2020 reports), F2021 (revised format, 2021 reports on) or UNKNOWN. Decided from the table labels, not from the year.';
COMMENT ON COLUMN dim_report.year IS 'Statistics year the report covers (a 2025 report is published in 2026); NULL when the report does not say.';
COMMENT ON COLUMN dim_report.agency_id IS 'Reporting organ, key into dim_agency; NULL when no organ name was found.';
COMMENT ON COLUMN dim_report.agency_name IS 'Organ name exactly as the parser read it from the report (before normalisation).';
COMMENT ON COLUMN dim_report.title IS 'Report title as printed, when the source has one.';
COMMENT ON COLUMN dim_report.warnings IS 'Parser warnings for this report (things it read but doubts), empty when none.';
COMMENT ON COLUMN dim_report.parser_version IS 'Version of the parser that produced the rows (pipelines.parsing.parse.PARSER_VERSION).';
COMMENT ON COLUMN dim_report.loaded_at IS 'When these bytes were first loaded. Kept on re-loads so that re-running a batch leaves the warehouse unchanged.';
