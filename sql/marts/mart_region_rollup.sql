-- Departments summed against their government's report: for each government and year, its own
-- report's numbers beside the sum of the reports of the organs whose parent it is (its departments
-- and the governments one level down). A government report that covers its whole region should
-- equal the sum when every child published (FORMAT.md H-X1); one covering only its own office will
-- not, which is what the gap shows (gov_report_scope says which it is: H-X1 judges region reports, with
-- the same parents). Rows exist for every year a child of the government was due.
CREATE OR REPLACE TABLE mart_region_rollup AS
WITH due AS (
    SELECT
        parent_agency_id AS agency_id,
        year,
        count(*) AS children_expected,
        count(*) FILTER (WHERE status = 'missing') AS children_missing
    FROM mart_coverage
    WHERE
        parent_agency_id IS NOT NULL
        AND (
            parent_agency_id IN (SELECT sc.agency_id FROM mart_scope_rollup AS sc)
            OR (SELECT sw.whole FROM mart_scope AS sw)
        )
    GROUP BY ALL
),

k AS (
    SELECT
        parent_agency_id AS agency_id,
        year,
        count(*) AS children_published,
        count(*) FILTER (WHERE organ_kind = 'department') AS departments_published,
        count(*) FILTER (WHERE organ_kind = 'government') AS governments_published,
        count(*) FILTER (WHERE new_received IS NULL) AS children_without_table,
        sum(new_received) AS new_received,
        sum(handled) AS handled,
        sum(granted) AS granted,
        sum(denied) AS denied,
        sum(review_total) AS review_total,
        sum(litigation_total) AS litigation_total,
        sum(guessed_measure_cells) AS guessed_cells
    FROM mart_organ_year
    WHERE
        parent_agency_id IS NOT NULL
        AND (
            parent_agency_id IN (SELECT sc.agency_id FROM mart_scope_rollup AS sc)
            OR (SELECT sw.whole FROM mart_scope AS sw)
        )
    GROUP BY ALL
),

parent_names AS (
    SELECT
        parent_agency_id AS agency_id,
        min(parent_name) AS parent_name
    FROM dim_agency_profile
    WHERE parent_agency_id IS NOT NULL
    GROUP BY ALL
)

SELECT
    d.agency_id,
    coalesce(a.name, n.parent_name) AS agency_name,
    pr.level,
    pr.province,
    pr.city,
    pr.county,
    pr.region_code,
    d.year,
    g.report_id IS NOT NULL AS gov_published,
    g.report_id AS gov_report_id,
    g.report_scope AS gov_report_scope,
    d.children_expected,
    coalesce(k.children_published, 0) AS children_published,
    d.children_missing,
    coalesce(k.departments_published, 0) AS departments_published,
    coalesce(k.governments_published, 0) AS governments_published,
    coalesce(k.children_without_table, 0) AS children_without_table,
    d.children_missing = 0 AND coalesce(k.children_without_table, 0) = 0 AS children_complete,
    g.new_received AS gov_new_received,
    k.new_received AS children_new_received,
    g.new_received - k.new_received AS new_received_gap,
    g.handled AS gov_handled,
    k.handled AS children_handled,
    g.handled - k.handled AS handled_gap,
    g.granted AS gov_granted,
    k.granted AS children_granted,
    g.granted - k.granted AS granted_gap,
    g.denied AS gov_denied,
    k.denied AS children_denied,
    g.denied - k.denied AS denied_gap,
    g.review_total AS gov_review_total,
    k.review_total AS children_review_total,
    g.review_total - k.review_total AS review_total_gap,
    g.litigation_total AS gov_litigation_total,
    k.litigation_total AS children_litigation_total,
    g.litigation_total - k.litigation_total AS litigation_total_gap,
    g.guessed_measure_cells AS gov_guessed_cells,
    coalesce(k.guessed_cells, 0) AS children_guessed_cells
FROM due AS d
LEFT JOIN k USING (agency_id, year)
LEFT JOIN mart_organ_year AS g USING (agency_id, year)
LEFT JOIN dim_agency AS a USING (agency_id)
LEFT JOIN dim_agency_profile AS pr USING (agency_id)
LEFT JOIN parent_names AS n USING (agency_id)
ORDER BY d.agency_id, d.year;

COMMENT ON TABLE mart_region_rollup IS 'Per government and year: its own report beside the sum of its child organs'' reports (departments and lower governments, dim_agency_profile.parent_agency_id), with how many children were due, published and missing. Built from mart_organ_year and mart_coverage.';
COMMENT ON COLUMN mart_region_rollup.agency_id IS 'The government, key into dim_agency when it has reports (else only a parent_agency_id of its children).';
COMMENT ON COLUMN mart_region_rollup.agency_name IS 'Government name: dim_agency.name, else the name made from the divisions.';
COMMENT ON COLUMN mart_region_rollup.level IS 'Level of the government; NULL when it has no reports.';
COMMENT ON COLUMN mart_region_rollup.province IS 'Province-level division name (NULL when the government has no reports).';
COMMENT ON COLUMN mart_region_rollup.city IS 'Prefecture-level division name.';
COMMENT ON COLUMN mart_region_rollup.county IS 'County-level division name.';
COMMENT ON COLUMN mart_region_rollup.region_code IS 'Division code of the government''s region.';
COMMENT ON COLUMN mart_region_rollup.year IS 'Statistics year.';
COMMENT ON COLUMN mart_region_rollup.gov_published IS 'Whether the government published its own report for the year.';
COMMENT ON COLUMN mart_region_rollup.gov_report_scope IS 'Whether the government''s report covers its region (region), its own office (office) or cannot be told (unknown), from report_scope; only region reports should equal the sum.';
COMMENT ON COLUMN mart_region_rollup.gov_report_id IS 'The government''s current report for the year, NULL when missing.';
COMMENT ON COLUMN mart_region_rollup.children_expected IS 'Child organs that had published by this year (mart_coverage rows). Unit: organs.';
COMMENT ON COLUMN mart_region_rollup.children_published IS 'Child organs with a report for the year. Unit: organs.';
COMMENT ON COLUMN mart_region_rollup.children_missing IS 'Child organs that published before but not this year. Unit: organs.';
COMMENT ON COLUMN mart_region_rollup.departments_published IS 'Of children_published, departments. Unit: organs.';
COMMENT ON COLUMN mart_region_rollup.governments_published IS 'Of children_published, lower governments (including townships). Unit: organs.';
COMMENT ON COLUMN mart_region_rollup.children_without_table IS 'Children whose report has no readable 表三 (counted as nothing in the sums). Unit: organs.';
COMMENT ON COLUMN mart_region_rollup.children_complete IS 'Every due child published a report with 表三: only then can the sums be held against the government''s.';
COMMENT ON COLUMN mart_region_rollup.gov_new_received IS 'The government''s own report: applications received. Unit: 件.';
COMMENT ON COLUMN mart_region_rollup.children_new_received IS 'Sum over the children''s reports: applications received. Unit: 件.';
COMMENT ON COLUMN mart_region_rollup.new_received_gap IS 'gov_new_received - children_new_received: 0 for a region report with every child present. Unit: 件.';
COMMENT ON COLUMN mart_region_rollup.gov_handled IS 'The government''s own report: applications handled. Unit: 件.';
COMMENT ON COLUMN mart_region_rollup.children_handled IS 'Sum over the children''s reports: applications handled. Unit: 件.';
COMMENT ON COLUMN mart_region_rollup.handled_gap IS 'gov_handled - children_handled: 0 for a region report with every child present. Unit: 件.';
COMMENT ON COLUMN mart_region_rollup.gov_granted IS 'The government''s own report: applications granted (予以公开). Unit: 件.';
COMMENT ON COLUMN mart_region_rollup.children_granted IS 'Sum over the children''s reports: applications granted (予以公开). Unit: 件.';
COMMENT ON COLUMN mart_region_rollup.granted_gap IS 'gov_granted - children_granted: 0 for a region report with every child present. Unit: 件.';
COMMENT ON COLUMN mart_region_rollup.gov_denied IS 'The government''s own report: applications denied (不予公开). Unit: 件.';
COMMENT ON COLUMN mart_region_rollup.children_denied IS 'Sum over the children''s reports: applications denied (不予公开). Unit: 件.';
COMMENT ON COLUMN mart_region_rollup.denied_gap IS 'gov_denied - children_denied: 0 for a region report with every child present. Unit: 件.';
COMMENT ON COLUMN mart_region_rollup.gov_review_total IS 'The government''s own report: administrative reviews. Unit: 件.';
COMMENT ON COLUMN mart_region_rollup.children_review_total IS 'Sum over the children''s reports: administrative reviews. Unit: 件.';
COMMENT ON COLUMN mart_region_rollup.review_total_gap IS 'gov_review_total - children_review_total: 0 for a region report with every child present. Unit: 件.';
COMMENT ON COLUMN mart_region_rollup.gov_litigation_total IS 'The government''s own report: lawsuits. Unit: 件.';
COMMENT ON COLUMN mart_region_rollup.children_litigation_total IS 'Sum over the children''s reports: lawsuits. Unit: 件.';
COMMENT ON COLUMN mart_region_rollup.litigation_total_gap IS 'gov_litigation_total - children_litigation_total: 0 for a region report with every child present. Unit: 件.';
COMMENT ON COLUMN mart_region_rollup.gov_guessed_cells IS 'Cells of the government''s report read by the numbers above that the parser had to guess (guessed_cell): the gaps may be the parser''s. Unit: cells.';
COMMENT ON COLUMN mart_region_rollup.children_guessed_cells IS 'The same over the children''s reports. Unit: cells.';
