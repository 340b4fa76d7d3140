-- How each organ-year's current report enters the year totals (mart_year_total), so that each
-- application is counted once. A region report (report_scope.scope = 'region': a government's
-- 全区/全县 report) already includes its subordinates' numbers, so it and they are never both
-- counted:
--   * its subordinates all published a readable report that year (and none is of unknown scope):
--     they are counted, the region report is left out (left_out);
--   * one is missing, unreadable or of unknown scope: the region report is counted for all of them
--     (stands), and every report below it is left out (covered);
--   * none of its subordinates ever reported: the region report is counted (stands).
-- Below means through parents (dim_agency_profile.parent_agency_id) whose own report covers their
-- region: a county's own-office report does not carry its bureaus' numbers up to the city's sum.
-- Own-office reports are counted (counted); reports of unknown scope are kept apart (unknown).
CREATE OR REPLACE TABLE mart_total_basis AS
WITH rep AS (
    SELECT
        m.agency_id,
        m.year,
        m.report_id,
        m.format_version,
        m.report_scope AS scope,
        p.parent_agency_id
    FROM mart_organ_year AS m
    LEFT JOIN dim_agency_profile AS p USING (agency_id)
),

first_years AS (
    SELECT
        agency_id,
        min(year) AS first_year
    FROM rep
    GROUP BY agency_id
),

usual AS (
    -- an organ's scope in a year it did not report: as its latest report has it
    SELECT
        agency_id,
        arg_max(scope, year) AS scope
    FROM rep
    GROUP BY agency_id
),

parts AS (
    SELECT
        r.agency_id,
        r.year,
        count(*) AS due,
        count(c.report_id) FILTER (WHERE c.format_version IN ('F2019', 'F2021')) AS readable,
        count(*) FILTER (WHERE c.scope = 'unknown') AS unknown_scope
    FROM rep AS r
    INNER JOIN dim_agency_profile AS p ON r.agency_id = p.parent_agency_id
    INNER JOIN first_years AS fy ON p.agency_id = fy.agency_id AND r.year >= fy.first_year
    LEFT JOIN rep AS c ON p.agency_id = c.agency_id AND r.year = c.year
    GROUP BY r.agency_id, r.year
),

region AS (
    SELECT
        r.agency_id,
        r.year,
        coalesce(pa.due, 0) AS parts_due,
        pa.due IS NULL OR pa.readable < pa.due OR pa.unknown_scope > 0 AS stands
    FROM rep AS r
    LEFT JOIN parts AS pa USING (agency_id, year)
    WHERE r.scope = 'region'
),

years AS (
    SELECT DISTINCT year FROM rep
),

-- scope of every organ in every year with a report, or its usual scope (for the chain upwards)
scope_in AS (
    SELECT
        y.year,
        u.agency_id,
        coalesce(r.scope, u.scope) AS scope
    FROM usual AS u
    CROSS JOIN years AS y
    LEFT JOIN rep AS r ON u.agency_id = r.agency_id AND y.year = r.year
),

chain AS (
    -- each report's ancestors whose region report would include it: up through region governments
    WITH RECURSIVE up (agency_id, year, ancestor_id, depth) AS (
        SELECT
            agency_id,
            year,
            parent_agency_id,
            1
        FROM rep
        WHERE
            parent_agency_id IS NOT NULL
            AND (
                agency_id IN (SELECT sc.agency_id FROM mart_scope_basis AS sc)
                OR (SELECT sw.whole FROM mart_scope AS sw)
            )
        UNION ALL
        SELECT
            up.agency_id,
            up.year,
            p.parent_agency_id,
            up.depth + 1
        FROM up
        INNER JOIN dim_agency_profile AS p ON up.ancestor_id = p.agency_id
        INNER JOIN scope_in AS s ON up.ancestor_id = s.agency_id AND up.year = s.year
        WHERE p.parent_agency_id IS NOT NULL AND s.scope = 'region' AND up.depth < 8
    )

    SELECT * FROM up
),

covered AS (
    SELECT
        c.agency_id,
        c.year,
        arg_max(g.agency_id, c.depth) AS covered_by,
        list(g.agency_id ORDER BY c.depth) AS covering
    FROM chain AS c
    INNER JOIN region AS g ON c.ancestor_id = g.agency_id AND c.year = g.year AND g.stands
    GROUP BY c.agency_id, c.year
)

SELECT
    r.agency_id,
    r.year,
    r.report_id,
    r.scope AS report_scope,
    CASE
        WHEN c.covered_by IS NOT NULL THEN 'covered'
        WHEN g.stands THEN 'stands'
        WHEN g.agency_id IS NOT NULL THEN 'left_out'
        WHEN r.scope = 'unknown' THEN 'unknown'
        ELSE 'counted'
    END AS role,
    c.covered_by,
    g.parts_due,
    CASE
        WHEN g.stands THEN 'stands'
        WHEN g.agency_id IS NOT NULL THEN 'left_out'
        WHEN r.scope = 'unknown' THEN 'unknown'
        ELSE 'counted'
    END AS own_role,
    coalesce(c.covering, []) AS covering
FROM rep AS r
LEFT JOIN region AS g USING (agency_id, year)
LEFT JOIN covered AS c USING (agency_id, year)
WHERE r.agency_id IN (SELECT sc.agency_id FROM mart_scope_basis AS sc) OR (SELECT sw.whole FROM mart_scope AS sw)
ORDER BY r.agency_id, r.year;

COMMENT ON TABLE mart_total_basis IS 'Per organ and year: how its current report enters mart_year_total, so that each application is counted once (a region report and its subordinates'' reports are never both counted).';
COMMENT ON COLUMN mart_total_basis.agency_id IS 'Organ, key into dim_agency.';
COMMENT ON COLUMN mart_total_basis.year IS 'Statistics year.';
COMMENT ON COLUMN mart_total_basis.report_id IS 'The current report of the organ-year, key into dim_report.';
COMMENT ON COLUMN mart_total_basis.report_scope IS 'region, office or unknown (report_scope).';
COMMENT ON COLUMN mart_total_basis.role IS 'counted: an own-office report, counted; stands: a region report counted for its subordinates (one of them missing, unreadable or of unknown scope, or none ever reported); left_out: a region report left out because its subordinates, all present, are counted; covered: left out because a region report above it is counted for it; unknown: of unknown scope, counted apart (mart_year_total.unknown_scope_*).';
COMMENT ON COLUMN mart_total_basis.covered_by IS 'For covered: the organ whose region report is counted for this one (the highest, when several are).';
COMMENT ON COLUMN mart_total_basis.parts_due IS 'For region reports: subordinate organs that had reported by this year. Unit: organs.';
COMMENT ON COLUMN mart_total_basis.own_role IS 'The role the report would have if no region report above it were counted (role without covered): what a total over a smaller region starts from (mart_region_total).';
COMMENT ON COLUMN mart_total_basis.covering IS 'Every organ above this one whose counted region report includes it, nearest first; empty when none (covered_by is the last).';
