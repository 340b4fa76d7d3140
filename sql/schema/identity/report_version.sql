-- The one place that decides which report version stands for an organ-year: some reports are
-- re-published with corrections, and the same report is often loaded twice (an HTML page and a
-- crawler's text dump of it). The marts and the rules (quality.report) read current_report; the
-- site reads the marts. Preference:
--   1. a statutory format over UNKNOWN;
--   2. the newest numbers: a version whose numbers first arrived with a later run is a
--      re-publication and replaces the earlier one. A version whose numbers agree with an earlier
--      version's (on every cell both read with certainty, and on every 表三 小计 both print) is
--      another copy of that publication, not a new one: it dates from the earlier load. Every report of one run has the same loaded_at
--      (the run's start), so copies fall through to
--   3. fewer cells the parser had to guess, 4. the medium that keeps table structure best, 5. the hash.
CREATE OR REPLACE VIEW report_version AS
WITH guessed AS (
    SELECT
        report_id,
        count(*) AS n
    FROM fact_cell
    WHERE uncertain
    GROUP BY report_id
),

versions AS (
    SELECT
        r.report_id,
        r.agency_id,
        r.year,
        r.format_version,
        r.medium,
        r.file_name,
        r.loaded_at,
        coalesce(g.n, 0) AS uncertain_cells
    FROM dim_report AS r
    LEFT JOIN guessed AS g USING (report_id)
    WHERE r.agency_id IS NOT NULL AND r.year IS NOT NULL
),

earlier AS (
    -- Only organ-years loaded by more than one run can hold a copy of an earlier publication.
    SELECT
        v.report_id,
        e.report_id AS earlier_id,
        e.loaded_at AS earlier_loaded_at
    FROM versions AS v
    INNER JOIN versions
        AS e ON v.agency_id = e.agency_id AND v.year = e.year AND v.loaded_at > e.loaded_at
    AND v.format_version = e.format_version AND v.format_version <> 'UNKNOWN'
),

compared_cells AS (
    -- Filtered first: joined directly, the planner paired the big fact table with itself (2 s at 100k).
    SELECT
        report_id,
        cell_id,
        coalesce(value, 0) AS value
    FROM fact_cell
    WHERE
        NOT uncertain
        AND report_id IN (
            SELECT earlier.report_id FROM earlier
            UNION
            SELECT earlier.earlier_id FROM earlier
        )
),

subtotals_differ AS (
    -- A correction of a publisher's 小计 row alone (rule T3-F3) changes no format cell.
    SELECT DISTINCT
        p.report_id,
        p.earlier_id
    FROM earlier AS p
    INNER JOIN fact_subtotal AS a ON p.report_id = a.report_id
    INNER JOIN fact_subtotal AS b
        ON
            p.earlier_id = b.report_id
            AND a.group_code = b.group_code
            AND a.col_code = b.col_code
    WHERE coalesce(a.value, 0) <> coalesce(b.value, 0)
),

same_numbers AS (
    SELECT
        p.report_id,
        min(p.earlier_loaded_at) AS first_loaded_at
    FROM (
        SELECT
            p.report_id,
            p.earlier_loaded_at
        FROM earlier AS p
        INNER JOIN compared_cells AS a ON p.report_id = a.report_id
        INNER JOIN compared_cells AS b ON p.earlier_id = b.report_id AND a.cell_id = b.cell_id
        ANTI JOIN subtotals_differ AS d ON p.report_id = d.report_id AND p.earlier_id = d.earlier_id
        GROUP BY p.report_id, p.earlier_id, p.earlier_loaded_at
        HAVING bool_and(a.value = b.value)
    ) AS p
    GROUP BY p.report_id
),

ranked AS (
    SELECT
        v.*,
        coalesce(s.first_loaded_at, v.loaded_at) AS numbers_loaded_at,
        count(*) OVER (PARTITION BY v.agency_id, v.year) AS versions
    FROM versions AS v
    LEFT JOIN same_numbers AS s USING (report_id)
)

SELECT
    *,
    preference = 1 AS is_current
FROM (
    SELECT
        report_id,
        agency_id,
        year,
        format_version,
        medium,
        file_name,
        loaded_at,
        uncertain_cells,
        versions,
        dense_rank() OVER (PARTITION BY agency_id, year ORDER BY numbers_loaded_at) AS publication,
        row_number() OVER (
            PARTITION BY agency_id, year
            ORDER BY
                format_version = 'UNKNOWN', numbers_loaded_at DESC, uncertain_cells ASC,
                CASE medium WHEN 'html' THEN 0 WHEN 'docx' THEN 1 WHEN 'pdf' THEN 2 ELSE 3 END,
                report_id ASC
        ) AS preference
    FROM ranked
) AS r;

COMMENT ON VIEW report_version IS 'Every report version of every organ-year, ranked: is_current marks the one current_report (and so every mart, rule and site page) uses; the others stay queryable. Reports without organ or year are not ranked.';
COMMENT ON COLUMN report_version.report_id IS 'Report version (content hash), key into dim_report.';
COMMENT ON COLUMN report_version.agency_id IS 'Organ, key into dim_agency.';
COMMENT ON COLUMN report_version.year IS 'Statistics year.';
COMMENT ON COLUMN report_version.format_version IS 'F2019, F2021 or UNKNOWN.';
COMMENT ON COLUMN report_version.medium IS 'html, text, pdf, docx or scan.';
COMMENT ON COLUMN report_version.file_name IS 'Source file of this version.';
COMMENT ON COLUMN report_version.loaded_at IS 'Start of the run that first loaded this version (the same for every report of a run).';
COMMENT ON COLUMN report_version.uncertain_cells IS 'Cells of this version the parser had to guess.';
COMMENT ON COLUMN report_version.versions IS 'Report versions (files) loaded for this organ-year.';
COMMENT ON COLUMN report_version.publication IS 'Which publication of this organ-year the version belongs to: 1 for the numbers the first run loaded, 2 for a re-publication with different numbers loaded by a later run, and so on. Versions loaded by the same run share a number, and so does a later copy whose numbers agree with an earlier version on every cell both read with certainty and every 表三 小计 both print (a crawler dump of a page already loaded).';
COMMENT ON COLUMN report_version.preference IS 'Rank of this version for its organ-year: 1 is the current one (statutory format, latest publication, fewest guessed cells, html > docx > pdf > text, report_id).';
COMMENT ON COLUMN report_version.is_current IS 'True for the version current_report uses (preference = 1).';
