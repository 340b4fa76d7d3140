-- The one place that decides which report version stands for an organ-year: some reports are
-- re-published with corrections, and the same report is often loaded twice (an HTML page and a
-- crawler's text dump of it). The marts and the rules (quality.report) read current_report; the
-- site reads the marts. Preference:
--   1. a statutory format over UNKNOWN;
--   2. the latest load: a version loaded by a later run is a re-publication and replaces the earlier
--      one. Every report of one run has the same loaded_at (the run's start), so versions that
--      arrived together fall through to
--   3. fewer cells the parser had to guess, 4. the medium that keeps table structure best, 5. the hash.
CREATE OR REPLACE VIEW report_version AS
WITH guessed AS (
    SELECT report_id, count(*) AS n FROM fact_cell WHERE uncertain GROUP BY report_id
), ranked AS (
    SELECT r.report_id, r.agency_id, r.year, r.format_version, r.medium, r.file_name, r.loaded_at,
           coalesce(g.n, 0) AS uncertain_cells,
           count(*) OVER (PARTITION BY r.agency_id, r.year) AS versions,
           row_number() OVER (
               PARTITION BY r.agency_id, r.year
               ORDER BY r.format_version = 'UNKNOWN', r.loaded_at DESC, coalesce(g.n, 0),
                        CASE r.medium WHEN 'html' THEN 0 WHEN 'docx' THEN 1 WHEN 'pdf' THEN 2 ELSE 3 END,
                        r.report_id) AS preference,
           dense_rank() OVER (PARTITION BY r.agency_id, r.year ORDER BY r.loaded_at) AS publication
    FROM dim_report r
    LEFT JOIN guessed g USING (report_id)
    WHERE r.agency_id IS NOT NULL AND r.year IS NOT NULL
)
SELECT report_id, agency_id, year, format_version, medium, file_name, loaded_at, uncertain_cells, versions,
       publication, preference, preference = 1 AS is_current
FROM ranked;

COMMENT ON VIEW report_version IS 'Every report version of every organ-year, ranked: is_current marks the one current_report (and so every mart, rule and site page) uses; the others stay queryable. Reports without organ or year are not ranked.';
COMMENT ON COLUMN report_version.report_id IS 'Report version (content hash), key into dim_report.';
COMMENT ON COLUMN report_version.agency_id IS 'Organ, key into dim_agency.';
COMMENT ON COLUMN report_version.year IS 'Statistics year.';
COMMENT ON COLUMN report_version.format_version IS 'F2019, F2021 or UNKNOWN.';
COMMENT ON COLUMN report_version.medium IS 'html, text, pdf or docx.';
COMMENT ON COLUMN report_version.file_name IS 'Source file of this version.';
COMMENT ON COLUMN report_version.loaded_at IS 'Start of the run that first loaded this version (the same for every report of a run).';
COMMENT ON COLUMN report_version.uncertain_cells IS 'Cells of this version the parser had to guess.';
COMMENT ON COLUMN report_version.versions IS 'Report versions (files) loaded for this organ-year.';
COMMENT ON COLUMN report_version.publication IS 'Which load of this organ-year the version came with: 1 for the first run that loaded one, 2 for a re-publication loaded by a later run, and so on; versions loaded by the same run share a number.';
COMMENT ON COLUMN report_version.preference IS 'Rank of this version for its organ-year: 1 is the current one (statutory format, latest load, fewest guessed cells, html > docx > pdf > text, report_id).';
COMMENT ON COLUMN report_version.is_current IS 'True for the version current_report uses (preference = 1).';

CREATE OR REPLACE VIEW current_report AS
SELECT report_id, agency_id, year, format_version, medium, file_name, loaded_at, uncertain_cells, versions
FROM report_version
WHERE is_current;

COMMENT ON VIEW current_report IS 'One report version per organ and year: the one every mart, rule and site page reads. Prefers a statutory format, then the latest load (a re-publication wins), then fewer guessed cells, html > docx > pdf > text, then report_id; report_version lists the others.';
COMMENT ON COLUMN current_report.report_id IS 'The chosen report version, key into dim_report.';
COMMENT ON COLUMN current_report.agency_id IS 'Organ, key into dim_agency.';
COMMENT ON COLUMN current_report.year IS 'Statistics year.';
COMMENT ON COLUMN current_report.format_version IS 'F2019, F2021 or UNKNOWN (a report without readable tables still counts as published).';
COMMENT ON COLUMN current_report.medium IS 'html, text, pdf or docx.';
COMMENT ON COLUMN current_report.file_name IS 'Source file of the chosen version.';
COMMENT ON COLUMN current_report.loaded_at IS 'Start of the run that first loaded the chosen version.';
COMMENT ON COLUMN current_report.uncertain_cells IS 'Cells of the chosen version the parser had to guess.';
COMMENT ON COLUMN current_report.versions IS 'Report versions (files) loaded for this organ-year, the chosen one included.';
