-- The 2019–latest trend per organ: where it started, where it is, and the least-squares slope per
-- year over every year it published (gaps are skipped, not read as zeros). The slopes add their years
-- in year order, so that every build (whole or a night's organs) gives the same digits.
CREATE OR REPLACE TABLE mart_organ_trend AS
WITH y AS (
    SELECT * FROM mart_organ_year
    WHERE
        year >= 2019
        AND (agency_id IN (SELECT sc.agency_id FROM mart_scope_organ AS sc) OR (SELECT sw.whole FROM mart_scope AS sw))
),

t AS (
    SELECT
        agency_id,
        min(year) AS first_year,
        max(year) AS latest_year,
        count(*) AS years_published,
        first(new_received ORDER BY year) AS new_received_first,
        last(new_received ORDER BY year) AS new_received_latest,
        CASE WHEN regr_count(new_received, year) >= 2 THEN regr_slope(new_received, year ORDER BY year) END
            AS new_received_slope,
        sum(new_received) AS new_received_sum,
        first(grant_rate_resolvable ORDER BY year) AS grant_rate_resolvable_first,
        last(grant_rate_resolvable ORDER BY year) AS grant_rate_resolvable_latest,
        CASE
            WHEN regr_count(grant_rate_resolvable, year) >= 2 THEN regr_slope(grant_rate_resolvable, year ORDER BY year)
        END
            AS grant_rate_resolvable_slope,
        first(denied_share ORDER BY year) AS denied_share_first,
        last(denied_share ORDER BY year) AS denied_share_latest,
        CASE WHEN regr_count(denied_share, year) >= 2 THEN regr_slope(denied_share, year ORDER BY year) END
            AS denied_share_slope,
        sum(denied) AS denied_sum,
        sum(review_total) AS review_total_sum,
        sum(litigation_total) AS litigation_total_sum,
        cast(sum(findings_fail) AS BIGINT) AS findings_fail_sum
    FROM y
    GROUP BY agency_id
),

gaps AS (
    SELECT
        agency_id,
        count(*) FILTER (WHERE status = 'missing') AS years_missing
    FROM mart_coverage
    WHERE
        year >= 2019
        AND (agency_id IN (SELECT sc.agency_id FROM mart_scope_organ AS sc) OR (SELECT sw.whole FROM mart_scope AS sw))
    GROUP BY agency_id
)

SELECT
    t.agency_id,
    a.name AS agency_name,
    pr.level,
    pr.organ_kind,
    pr.sector,
    pr.province,
    t.first_year,
    t.latest_year,
    t.years_published,
    coalesce(g.years_missing, 0) AS years_missing,
    t.new_received_first,
    t.new_received_latest,
    CASE WHEN t.years_published >= 2 THEN t.new_received_latest - t.new_received_first END AS new_received_change,
    t.new_received_slope,
    t.new_received_sum,
    t.grant_rate_resolvable_first,
    t.grant_rate_resolvable_latest,
    CASE WHEN t.years_published >= 2 THEN t.grant_rate_resolvable_latest - t.grant_rate_resolvable_first END
        AS grant_rate_resolvable_change,
    t.grant_rate_resolvable_slope,
    t.denied_share_first,
    t.denied_share_latest,
    CASE WHEN t.years_published >= 2 THEN t.denied_share_latest - t.denied_share_first END AS denied_share_change,
    t.denied_share_slope,
    t.denied_sum,
    t.review_total_sum,
    t.litigation_total_sum,
    t.findings_fail_sum
FROM t
LEFT JOIN gaps AS g USING (agency_id)
LEFT JOIN dim_agency AS a USING (agency_id)
LEFT JOIN dim_agency_profile AS pr USING (agency_id)
ORDER BY t.agency_id;

COMMENT ON TABLE mart_organ_trend IS 'Per organ, 2019 to its latest report: first and latest values, change, least-squares slope per year and sums of the key measures. Built from mart_organ_year and mart_coverage.';
COMMENT ON COLUMN mart_organ_trend.agency_id IS 'Organ, key into dim_agency.';
COMMENT ON COLUMN mart_organ_trend.agency_name IS 'Organ name.';
COMMENT ON COLUMN mart_organ_trend.level IS 'national, province, city, county or township.';
COMMENT ON COLUMN mart_organ_trend.organ_kind IS 'government or department.';
COMMENT ON COLUMN mart_organ_trend.sector IS 'Sector (data/sectors.yaml).';
COMMENT ON COLUMN mart_organ_trend.province IS 'Province-level division name.';
COMMENT ON COLUMN mart_organ_trend.first_year IS 'First year (2019 or later) the organ published.';
COMMENT ON COLUMN mart_organ_trend.latest_year IS 'Latest year the organ published.';
COMMENT ON COLUMN mart_organ_trend.years_published IS 'Years from 2019 with a report. Unit: years.';
COMMENT ON COLUMN mart_organ_trend.years_missing IS 'Years after first_year, up to the warehouse''s latest year, without a report (mart_coverage). Unit: years.';
COMMENT ON COLUMN mart_organ_trend.new_received_first IS 'Applications received in first_year (NULL if that report had no 表三). Unit: 件.';
COMMENT ON COLUMN mart_organ_trend.new_received_latest IS 'Applications received in latest_year. Unit: 件.';
COMMENT ON COLUMN mart_organ_trend.new_received_change IS 'new_received_latest - new_received_first; NULL with one published year. Unit: 件.';
COMMENT ON COLUMN mart_organ_trend.new_received_slope IS 'Least-squares slope of applications received over the published years with a value; NULL with fewer than two. Unit: 件 per year.';
COMMENT ON COLUMN mart_organ_trend.new_received_sum IS 'Applications received, all published years. Unit: 件.';
COMMENT ON COLUMN mart_organ_trend.grant_rate_resolvable_first IS 'granted / resolvable in first_year. Unit: fraction (0–1).';
COMMENT ON COLUMN mart_organ_trend.grant_rate_resolvable_latest IS 'granted / resolvable in latest_year. Unit: fraction (0–1).';
COMMENT ON COLUMN mart_organ_trend.grant_rate_resolvable_change IS 'latest - first grant rate. Unit: fraction (percentage points / 100).';
COMMENT ON COLUMN mart_organ_trend.grant_rate_resolvable_slope IS 'Least-squares slope of the grant rate over resolvable applications; NULL with fewer than two values. Unit: fraction per year.';
COMMENT ON COLUMN mart_organ_trend.denied_share_first IS 'denied / handled in first_year. Unit: fraction (0–1).';
COMMENT ON COLUMN mart_organ_trend.denied_share_latest IS 'denied / handled in latest_year. Unit: fraction (0–1).';
COMMENT ON COLUMN mart_organ_trend.denied_share_change IS 'latest - first denied share. Unit: fraction (percentage points / 100).';
COMMENT ON COLUMN mart_organ_trend.denied_share_slope IS 'Least-squares slope of the denied share; NULL with fewer than two values. Unit: fraction per year.';
COMMENT ON COLUMN mart_organ_trend.denied_sum IS 'Applications denied, all published years. Unit: 件.';
COMMENT ON COLUMN mart_organ_trend.review_total_sum IS 'Administrative reviews, all published years. Unit: 件.';
COMMENT ON COLUMN mart_organ_trend.litigation_total_sum IS 'Lawsuits, all published years. Unit: 件.';
COMMENT ON COLUMN mart_organ_trend.findings_fail_sum IS 'Failed consistency rules, all published years. Unit: findings.';
