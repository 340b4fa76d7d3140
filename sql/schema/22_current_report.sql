-- The one place that decides which report version stands for an organ-year: the same report is
-- often loaded twice (an HTML page and a crawler's text dump of it) and some are re-published.
-- Preference, as the rules' quality.report uses it: a statutory format over UNKNOWN, fewer cells the
-- parser had to guess, the newest load, the medium that keeps table structure best, then the hash.
CREATE OR REPLACE VIEW current_report AS
WITH guessed AS (
    SELECT report_id, count(*) AS n FROM fact_cell WHERE uncertain GROUP BY report_id
), ranked AS (
    SELECT r.report_id, r.agency_id, r.year, r.format_version, r.medium, r.file_name, r.loaded_at,
           coalesce(g.n, 0) AS uncertain_cells,
           count(*) OVER (PARTITION BY r.agency_id, r.year) AS versions,
           row_number() OVER (
               PARTITION BY r.agency_id, r.year
               ORDER BY r.format_version = 'UNKNOWN', coalesce(g.n, 0), r.loaded_at DESC,
                        CASE r.medium WHEN 'html' THEN 0 WHEN 'docx' THEN 1 WHEN 'pdf' THEN 2 ELSE 3 END,
                        r.report_id) AS pick
    FROM dim_report r
    LEFT JOIN guessed g USING (report_id)
    WHERE r.agency_id IS NOT NULL AND r.year IS NOT NULL
)
SELECT report_id, agency_id, year, format_version, medium, file_name, loaded_at, uncertain_cells, versions
FROM ranked
WHERE pick = 1;

COMMENT ON VIEW current_report IS 'One report version per organ and year: the one every mart reads. Prefers a statutory format, then fewer guessed cells, the latest load, html > docx > pdf > text, then report_id.';
COMMENT ON COLUMN current_report.report_id IS 'The chosen report version, key into dim_report.';
COMMENT ON COLUMN current_report.agency_id IS 'Organ, key into dim_agency.';
COMMENT ON COLUMN current_report.year IS 'Statistics year.';
COMMENT ON COLUMN current_report.format_version IS 'F2019, F2021 or UNKNOWN (a report without readable tables still counts as published).';
COMMENT ON COLUMN current_report.medium IS 'html, text, pdf or docx.';
COMMENT ON COLUMN current_report.file_name IS 'Source file of the chosen version.';
COMMENT ON COLUMN current_report.loaded_at IS 'When the chosen version was first loaded.';
COMMENT ON COLUMN current_report.uncertain_cells IS 'Cells of the chosen version the parser had to guess.';
COMMENT ON COLUMN current_report.versions IS 'Report versions (files) loaded for this organ-year, the chosen one included.';
