-- The version of each organ-year that every mart, rule and site page reads (report_version ranks them;
-- the identity stage stores the current ones in report_version_current, so a reader does not rank
-- every version again).
CREATE OR REPLACE VIEW current_report AS
SELECT
    report_id,
    agency_id,
    year,
    format_version,
    medium,
    file_name,
    loaded_at,
    uncertain_cells,
    versions
FROM report_version_current;

COMMENT ON VIEW current_report IS 'One report version per organ and year: the one every mart, rule and site page reads. Prefers a statutory format, then the latest publication (a re-publication with different numbers wins; a later copy of the same numbers does not), then fewer guessed cells, html > docx > pdf > text, then report_id; report_version lists the others.';
COMMENT ON COLUMN current_report.report_id IS 'The chosen report version, key into dim_report.';
COMMENT ON COLUMN current_report.agency_id IS 'Organ, key into dim_agency.';
COMMENT ON COLUMN current_report.year IS 'Statistics year.';
COMMENT ON COLUMN current_report.format_version IS 'F2019, F2021 or UNKNOWN (a report without readable tables still counts as published).';
COMMENT ON COLUMN current_report.medium IS 'html, text, pdf, docx or scan.';
COMMENT ON COLUMN current_report.file_name IS 'Source file of the chosen version.';
COMMENT ON COLUMN current_report.loaded_at IS 'Start of the run that first loaded the chosen version.';
COMMENT ON COLUMN current_report.uncertain_cells IS 'Cells of the chosen version the parser had to guess.';
COMMENT ON COLUMN current_report.versions IS 'Report versions (files) loaded for this organ-year, the chosen one included.';
