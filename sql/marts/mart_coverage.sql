-- Who published what: one row per organ and year from the organ's first published year to the
-- latest year any organ published. An organ that published before and not in a year is missing
-- in that year (the latest year included: a late report shows up as missing until it is loaded).
CREATE OR REPLACE TABLE mart_coverage AS
WITH pub AS (
    SELECT
        agency_id,
        year,
        report_id,
        format_version,
        versions
    FROM current_report
),

span AS (
    SELECT
        agency_id,
        min(year) AS first_year
    FROM pub
    GROUP BY agency_id
),

grid AS (
    SELECT
        s.agency_id,
        s.first_year,
        cast(unnest(generate_series(s.first_year, l.latest)) AS INTEGER) AS year
    FROM span AS s, (SELECT max(year) AS latest FROM pub) AS l
),

marked AS (
    SELECT
        g.agency_id,
        g.year,
        g.first_year,
        p.report_id,
        p.format_version,
        coalesce(p.versions, 0) AS versions,
        -- the last year up to this one that the organ published
        max(CASE WHEN p.report_id IS NOT NULL THEN g.year END)
            OVER (PARTITION BY g.agency_id ORDER BY g.year ROWS UNBOUNDED PRECEDING) AS last_published_year
    FROM grid AS g
    LEFT JOIN pub AS p USING (agency_id, year)
)

SELECT
    m.agency_id,
    a.name AS agency_name,
    pr.level,
    pr.organ_kind,
    pr.sector,
    pr.province,
    pr.city,
    pr.county,
    pr.parent_agency_id,
    m.year,
    CASE WHEN m.report_id IS NOT NULL THEN 'published' ELSE 'missing' END AS status,
    m.report_id,
    m.format_version,
    m.versions,
    m.first_year,
    CASE WHEN m.report_id IS NULL THEN m.last_published_year END AS last_published_year,
    CASE WHEN m.report_id IS NULL THEN m.year - m.last_published_year END AS years_since_published
FROM marked AS m
LEFT JOIN dim_agency AS a USING (agency_id)
LEFT JOIN dim_agency_profile AS pr USING (agency_id)
ORDER BY m.agency_id, m.year;

COMMENT ON TABLE mart_coverage IS 'Organ × year, from the organ''s first published year to the latest year in the warehouse: published or missing. Read status = ''missing'' as "reported before, not this year".';
COMMENT ON COLUMN mart_coverage.agency_id IS 'Organ, key into dim_agency.';
COMMENT ON COLUMN mart_coverage.agency_name IS 'Organ name.';
COMMENT ON COLUMN mart_coverage.level IS 'national, province, city, county or township.';
COMMENT ON COLUMN mart_coverage.organ_kind IS 'government or department.';
COMMENT ON COLUMN mart_coverage.sector IS 'Sector (data/sectors.yaml).';
COMMENT ON COLUMN mart_coverage.province IS 'Province-level division name.';
COMMENT ON COLUMN mart_coverage.city IS 'Prefecture-level division name.';
COMMENT ON COLUMN mart_coverage.county IS 'County-level division name.';
COMMENT ON COLUMN mart_coverage.parent_agency_id IS 'Government the organ reports to.';
COMMENT ON COLUMN mart_coverage.year IS 'Statistics year.';
COMMENT ON COLUMN mart_coverage.status IS 'published (a report for this year is loaded, readable tables or not) or missing.';
COMMENT ON COLUMN mart_coverage.report_id IS 'The current report version when published, else NULL.';
COMMENT ON COLUMN mart_coverage.format_version IS 'Format of that report (UNKNOWN: published but no table read); NULL when missing.';
COMMENT ON COLUMN mart_coverage.versions IS 'Report versions loaded for the organ-year (0 when missing). Unit: files.';
COMMENT ON COLUMN mart_coverage.first_year IS 'First year the organ published in the warehouse.';
COMMENT ON COLUMN mart_coverage.last_published_year IS 'For a missing year: the last earlier year the organ published; NULL when published.';
COMMENT ON COLUMN mart_coverage.years_since_published IS 'For a missing year: year - last_published_year. Unit: years.';
