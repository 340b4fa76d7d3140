-- Every region's year, for the drill-down nation > province > city > county: applications counted once
-- within the region, its coverage (organs expected, published, missing, never published) and the
-- findings of its organs' reports. One row per year and region at each level; the nation's row has
-- region_code NULL and equals mart_year_total's row of everything, a province's its province row.
--
-- Counted once within the region: a report is added when its own role (mart_total_basis.own_role) is
-- counted or stands, unless a region report counted for it lies inside the region (a county's 全县
-- report counted for its bureaus). A region report above the region (the city's, for a county) does
-- not take the county's reports out of the county's total: within the county, they are its numbers.
CREATE OR REPLACE TABLE mart_region_total AS
WITH placed AS (
    SELECT
        agency_id,
        level,
        organ_kind,
        province_code,
        province,
        city_code,
        city,
        county_code,
        county,
        coalesce(region_code, '') AS region_code
    FROM dim_agency_profile
),

every_membership AS (
    -- every organ in each region it belongs to: the nation, its province, city and county
    SELECT
        agency_id,
        'nation' AS region_level,
        '' AS region_code,  -- NULL in the output; '' joins
        '全国' AS region_name,
        cast(NULL AS VARCHAR) AS parent_code
    FROM placed
    UNION ALL
    SELECT
        agency_id,
        'province' AS region_level,
        province_code AS region_code,
        province AS region_name,
        NULL AS parent_code
    FROM placed
    WHERE province_code IS NOT NULL
    UNION ALL
    SELECT
        agency_id,
        'city' AS region_level,
        city_code AS region_code,
        city AS region_name,
        province_code AS parent_code
    FROM placed
    WHERE city_code IS NOT NULL
    UNION ALL
    SELECT
        agency_id,
        'county' AS region_level,
        county_code AS region_code,
        county AS region_name,
        coalesce(city_code, province_code) AS parent_code
    FROM placed
    WHERE county_code IS NOT NULL
),

membership AS (
    -- the regions this build recomputes (mart_scope: every region, or those a night touched)
    SELECT * FROM every_membership
    WHERE
        (region_level, region_code) IN (SELECT (s.region_level, s.region_code) FROM mart_scope_region AS s)
        OR (SELECT sw.whole FROM mart_scope AS sw)
),

cover_codes AS (
    -- the places of the governments whose counted region reports include a report
    SELECT
        t.agency_id,
        t.year,
        list(coalesce(p.region_code, '')) AS codes
    FROM mart_total_basis AS t, unnest(t.covering) AS u (covering_id)
    INNER JOIN placed AS p ON u.covering_id = p.agency_id
    GROUP BY t.agency_id, t.year
),

basis AS (
    SELECT
        m.*,
        t.own_role,
        coalesce(cc.codes, []) AS cover_codes
    FROM mart_total_basis AS t
    INNER JOIN mart_organ_year AS m USING (agency_id, year)
    LEFT JOIN cover_codes AS cc USING (agency_id, year)
),

in_region AS (
    SELECT
        r.region_level,
        r.region_code,
        b.*,
        len(list_filter(b.cover_codes, c -> starts_with(c, r.region_code))) > 0 AS covered,
        b.own_role IN ('counted', 'stands')
        AND len(list_filter(b.cover_codes, c -> starts_with(c, r.region_code))) = 0 AS summed
    FROM basis AS b
    INNER JOIN membership AS r USING (agency_id)
),

totals AS (
    SELECT
        region_level,
        region_code,
        year,
        count(*) AS reports,
        count(*) FILTER (WHERE summed) AS reports_summed,
        count(*) FILTER (WHERE summed AND own_role = 'stands') AS region_reports_summed,
        count(*) FILTER (WHERE NOT covered AND own_role = 'left_out') AS region_reports_left_out,
        count(*) FILTER (WHERE covered) AS reports_covered,
        sum(new_received) FILTER (WHERE summed) AS new_received,
        sum(handled) FILTER (WHERE summed) AS handled,
        sum(granted) FILTER (WHERE summed) AS granted,
        sum(partially_granted) FILTER (WHERE summed) AS partially_granted,
        sum(denied) FILTER (WHERE summed) AS denied,
        sum(unavailable) FILTER (WHERE summed) AS unavailable,
        sum(not_handled) FILTER (WHERE summed) AS not_handled,
        sum(other) FILTER (WHERE summed) AS other,
        sum(review_total) FILTER (WHERE summed) AS review_total,
        sum(review_corrected) FILTER (WHERE summed) AS review_corrected,
        sum(litigation_total) FILTER (WHERE summed) AS litigation_total,
        sum(litigation_corrected) FILTER (WHERE summed) AS litigation_corrected,
        cast(coalesce(sum(guessed_measure_cells) FILTER (WHERE summed), 0) AS BIGINT) AS guessed_cells,
        count(*) FILTER (WHERE NOT covered AND own_role = 'unknown') AS unknown_scope_reports,
        sum(new_received) FILTER (WHERE NOT covered AND own_role = 'unknown') AS unknown_scope_new_received,
        count(*) FILTER (WHERE findings_fail > 0) AS reports_failed,
        cast(coalesce(sum(findings_fail), 0) AS BIGINT) AS findings_fail,
        cast(coalesce(sum(findings_error), 0) AS BIGINT) AS findings_error
    FROM in_region
    GROUP BY region_level, region_code, year
),

coverage AS (
    SELECT
        r.region_level,
        r.region_code,
        c.year,
        count(*) AS organs_expected,
        count(*) FILTER (WHERE c.status = 'published') AS organs_published,
        count(*) FILTER (WHERE c.status = 'missing') AS organs_missing,
        count(*) FILTER (WHERE c.organ_status = 'never') AS organs_never_published,
        -- a stopped organ is still stopped in a year not yet due
        count(*) FILTER (WHERE c.status <> 'published' AND c.organ_status = 'stopped') AS organs_stopped
    FROM mart_coverage AS c
    INNER JOIN membership AS r USING (agency_id)
    GROUP BY r.region_level, r.region_code, c.year
),

names AS (
    SELECT DISTINCT ON (region_level, region_code)
        region_level,
        region_code,
        region_name,
        parent_code
    FROM membership
    ORDER BY region_level, region_code, region_name
),

government AS (
    -- the people's government of each province, city and county (a row whether it reported or not)
    SELECT DISTINCT ON (level, region_code)
        level AS region_level,
        region_code,
        agency_id AS government_id
    FROM placed
    WHERE organ_kind = 'government' AND level IN ('province', 'city', 'county')
    ORDER BY level, region_code, agency_id
)

SELECT
    n.region_level,
    nullif(n.region_code, '') AS region_code,
    n.region_name,
    n.parent_code,
    g.government_id,
    coalesce(t.year, c.year) AS year,
    coalesce(c.organs_expected, 0) AS organs_expected,
    coalesce(c.organs_published, 0) AS organs_published,
    coalesce(c.organs_missing, 0) AS organs_missing,
    coalesce(c.organs_never_published, 0) AS organs_never_published,
    coalesce(c.organs_stopped, 0) AS organs_stopped,
    coalesce(t.reports, 0) AS reports,
    coalesce(t.reports_summed, 0) AS reports_summed,
    coalesce(t.region_reports_summed, 0) AS region_reports_summed,
    coalesce(t.region_reports_left_out, 0) AS region_reports_left_out,
    coalesce(t.reports_covered, 0) AS reports_covered,
    t.new_received,
    t.handled,
    t.granted,
    t.partially_granted,
    t.denied,
    t.unavailable,
    t.not_handled,
    t.other,
    t.review_total,
    t.review_corrected,
    t.litigation_total,
    t.litigation_corrected,
    coalesce(t.guessed_cells, 0) AS guessed_cells,
    coalesce(t.unknown_scope_reports, 0) AS unknown_scope_reports,
    t.unknown_scope_new_received,
    coalesce(t.reports_failed, 0) AS reports_failed,
    coalesce(t.findings_fail, 0) AS findings_fail,
    coalesce(t.findings_error, 0) AS findings_error
FROM totals AS t
FULL OUTER JOIN coverage AS c USING (region_level, region_code, year)
INNER JOIN names AS n
    ON
        coalesce(t.region_level, c.region_level) = n.region_level
        AND coalesce(t.region_code, c.region_code) = n.region_code
LEFT JOIN government AS g ON n.region_level = g.region_level AND n.region_code = g.region_code
ORDER BY
    CASE n.region_level WHEN 'nation' THEN 0 WHEN 'province' THEN 1 WHEN 'city' THEN 2 ELSE 3 END,
    n.region_code,
    year;

COMMENT ON TABLE mart_region_total IS 'Per year and region (the nation, each province, city and county): applications counted once within the region, coverage (organs expected, published, missing) and findings. The nation''s row equals mart_year_total''s row of everything; a county''s counts its own reports even where a city''s region report is counted for it at the city.';
COMMENT ON COLUMN mart_region_total.region_level IS 'nation, province, city or county.';
COMMENT ON COLUMN mart_region_total.region_code IS 'Division code as in dim_agency_profile (2 digits province, 4 city, 6 county); NULL for the nation.';
COMMENT ON COLUMN mart_region_total.region_name IS 'Division name (全国 for the nation).';
COMMENT ON COLUMN mart_region_total.parent_code IS 'The region one level up (a county''s city, or its province when it has no city); NULL for provinces and the nation.';
COMMENT ON COLUMN mart_region_total.government_id IS 'The region''s people''s government, key into dim_agency; NULL when none is known.';
COMMENT ON COLUMN mart_region_total.year IS 'Statistics year.';
COMMENT ON COLUMN mart_region_total.organs_expected IS 'Organs of the region expected to report this year (mart_coverage rows). Unit: organs.';
COMMENT ON COLUMN mart_region_total.organs_published IS 'Of organs_expected, those with a report. Unit: organs.';
COMMENT ON COLUMN mart_region_total.organs_missing IS 'Of organs_expected, those without whose report was due (mart_coverage.status = ''missing''; a year still open has none). Unit: organs.';
COMMENT ON COLUMN mart_region_total.organs_never_published IS 'Of organs_missing, registered organs that never published any report. Unit: organs.';
COMMENT ON COLUMN mart_region_total.organs_stopped IS 'Organs without a report of the year that published before and whose last expected year that was due is missing (organ_status stopped), in a year still open too. Unit: organs.';
COMMENT ON COLUMN mart_region_total.reports IS 'Current reports of the region''s organs. Unit: reports.';
COMMENT ON COLUMN mart_region_total.reports_summed IS 'Reports whose numbers the region''s totals add. Unit: reports.';
COMMENT ON COLUMN mart_region_total.region_reports_summed IS 'Of reports_summed, region reports counted for subordinates (one missing, unreadable or of unknown scope). Unit: reports.';
COMMENT ON COLUMN mart_region_total.region_reports_left_out IS 'Region reports of the region not added because their subordinates'' reports are. Unit: reports.';
COMMENT ON COLUMN mart_region_total.reports_covered IS 'Reports not added because a region report of the region, counted, includes them. Unit: reports.';
COMMENT ON COLUMN mart_region_total.new_received IS '表三 本年新收, counted once within the region. Unit: 件.';
COMMENT ON COLUMN mart_region_total.handled IS 'Applications handled (the outcome rows). Unit: 件.';
COMMENT ON COLUMN mart_region_total.granted IS '（一）予以公开. Unit: 件.';
COMMENT ON COLUMN mart_region_total.partially_granted IS '（二）部分公开. Unit: 件.';
COMMENT ON COLUMN mart_region_total.denied IS '（三）不予公开. Unit: 件.';
COMMENT ON COLUMN mart_region_total.unavailable IS '（四）无法提供. Unit: 件.';
COMMENT ON COLUMN mart_region_total.not_handled IS '（五）不予处理. Unit: 件.';
COMMENT ON COLUMN mart_region_total.other IS '（六）其他处理. Unit: 件.';
COMMENT ON COLUMN mart_region_total.review_total IS '表四 行政复议 总计. Unit: 件.';
COMMENT ON COLUMN mart_region_total.review_corrected IS '表四 行政复议 结果纠正. Unit: 件.';
COMMENT ON COLUMN mart_region_total.litigation_total IS '表四 行政诉讼 总计 (both blocks). Unit: 件.';
COMMENT ON COLUMN mart_region_total.litigation_corrected IS '表四 行政诉讼 结果纠正 (both blocks). Unit: 件.';
COMMENT ON COLUMN mart_region_total.guessed_cells IS 'Cells the parser guessed among those the sums read. Unit: cells.';
COMMENT ON COLUMN mart_region_total.unknown_scope_reports IS 'Reports of unknown scope, not added (as mart_year_total). Unit: reports.';
COMMENT ON COLUMN mart_region_total.unknown_scope_new_received IS '本年新收 of those reports, not in new_received. Unit: 件.';
COMMENT ON COLUMN mart_region_total.reports_failed IS 'Current reports of the region''s organs failing at least one rule. Unit: reports.';
COMMENT ON COLUMN mart_region_total.findings_fail IS 'Failed rule instances of those reports. Unit: findings.';
COMMENT ON COLUMN mart_region_total.findings_error IS 'Of findings_fail, those of severity error. Unit: findings.';
