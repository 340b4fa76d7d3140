-- Who published what: one row per organ and year an organ is expected to report, from the latest year
-- any organ published back to its first expected year. An organ is expected from its first published
-- year, or, when the register of organs that must report (organ_register, data/register.csv) lists it,
-- from the register's first year (at the earliest the first year the warehouse holds) to its last
-- year, if any. A year without a report is missing (the latest year included: a late report shows up
-- as missing until it is loaded), so a registered organ that never published is missing every year.
CREATE OR REPLACE TABLE mart_coverage AS
WITH pub AS (
    SELECT
        agency_id,
        year,
        report_id,
        format_version,
        versions
    FROM current_report
    WHERE agency_id IN (SELECT sc.agency_id FROM mart_scope_organ AS sc) OR (SELECT sw.whole FROM mart_scope AS sw)
),

bounds AS (
    -- the years of every organ's current reports: those of every report with an organ and a year
    -- (each such organ-year has a current one), read without ranking the versions
    SELECT
        min(year) AS earliest,
        max(year) AS latest,
        -- the latest year whose reports were due when the newest report was loaded: a year's report is
        -- due by 31 January of the next year (政府信息公开条例 第五十条), Beijing time; the same
        -- expression keys the years in pipelines/marts/incremental.py
        (SELECT year(timezone('Asia/Shanghai', max(d.loaded_at)) - INTERVAL 31 DAY) - 1 FROM dim_report AS d)
            AS closed_year
    FROM dim_report
    WHERE agency_id IS NOT NULL
),

reg AS (
    -- several rows may name one organ: the widest span they give
    SELECT
        agency_id,
        CASE WHEN bool_or(first_year IS NULL) THEN NULL ELSE min(first_year) END AS first_year,
        CASE WHEN bool_or(last_year IS NULL) THEN NULL ELSE max(last_year) END AS last_year
    FROM organ_register
    WHERE
        agency_id IS NOT NULL
        AND (agency_id IN (SELECT sc.agency_id FROM mart_scope_organ AS sc) OR (SELECT sw.whole FROM mart_scope AS sw))
    GROUP BY agency_id
),

published AS (
    SELECT
        agency_id,
        min(year) AS first_year,
        max(year) AS last_year
    FROM pub
    GROUP BY agency_id
),

span AS (
    SELECT
        coalesce(p.agency_id, r.agency_id) AS agency_id,
        p.first_year,
        r.agency_id IS NOT NULL AS registered,
        CASE
            WHEN r.agency_id IS NULL THEN p.first_year
            ELSE least(greatest(coalesce(r.first_year, b.earliest), b.earliest), coalesce(p.first_year, 9999))
        END AS expected_from,
        CASE
            WHEN r.last_year IS NULL THEN NULL
            ELSE greatest(r.last_year, coalesce(p.last_year, r.last_year))
        END AS expected_to,
        least(coalesce(r.last_year, b.latest), b.latest) AS grid_to,
        p.last_year AS last_published,
        b.latest,
        b.closed_year
    FROM published AS p
    FULL OUTER JOIN reg AS r USING (agency_id)
    CROSS JOIN bounds AS b
),

grid AS (
    SELECT
        s.agency_id,
        s.first_year,
        s.registered,
        s.expected_from,
        s.expected_to,
        s.closed_year,
        cast(unnest(generate_series(s.expected_from, greatest(s.grid_to, coalesce(s.last_published, 0)))) AS INTEGER)
            AS year
    FROM span AS s
    WHERE s.expected_from IS NOT NULL
),

marked AS (
    SELECT
        g.agency_id,
        g.year,
        g.first_year,
        g.registered,
        g.expected_from,
        g.expected_to,
        g.closed_year,
        p.report_id,
        p.format_version,
        coalesce(p.versions, 0) AS versions,
        -- the last year up to this one that the organ published
        max(CASE WHEN p.report_id IS NOT NULL THEN g.year END)
            OVER (PARTITION BY g.agency_id ORDER BY g.year ROWS UNBOUNDED PRECEDING) AS last_published_year,
        -- whether the organ's last expected year that was due is published: it still reports, or it
        -- stopped (a year still open is no evidence: its reports come in over January)
        arg_max(p.report_id IS NOT NULL, g.year) FILTER (WHERE g.year <= g.closed_year)
            OVER (PARTITION BY g.agency_id) AS reports_last_due,
        bool_or(p.report_id IS NOT NULL AND g.year > g.closed_year)
            OVER (PARTITION BY g.agency_id) AS published_open,
        count(p.report_id) OVER (PARTITION BY g.agency_id) AS published_years
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
    CASE
        WHEN m.report_id IS NOT NULL THEN 'published'
        -- a year still open (its reports due by 31 January of the next year) is not missing yet
        WHEN m.year > m.closed_year THEN 'not_due'
        ELSE 'missing'
    END AS status,
    m.report_id,
    m.format_version,
    m.versions,
    m.first_year,
    CASE WHEN m.report_id IS NULL THEN m.last_published_year END AS last_published_year,
    CASE WHEN m.report_id IS NULL THEN m.year - m.last_published_year END AS years_since_published,
    m.registered,
    m.expected_from,
    m.expected_to,
    CASE
        WHEN m.published_years = 0 THEN 'never'
        WHEN NOT m.published_open AND NOT m.reports_last_due THEN 'stopped'
        ELSE 'reporting'
    END AS organ_status,
    m.closed_year
FROM marked AS m
LEFT JOIN dim_agency AS a USING (agency_id)
LEFT JOIN dim_agency_profile AS pr USING (agency_id)
ORDER BY m.agency_id, m.year;

COMMENT ON TABLE mart_coverage IS 'Organ × year, every year the organ is expected to report: from its first published year (or the register''s first year, for organs in data/register.csv) to the latest year in the warehouse (or the register''s last year): published, missing or not_due. Read status = ''missing'' as "expected, due, and no report loaded for this year"; organ_status = ''never'' lists registered organs that never published.';
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
COMMENT ON COLUMN mart_coverage.status IS 'published (a report for this year is loaded, readable tables or not), missing (due, after closed_year no longer, and none loaded) or not_due (none loaded, and the year is after closed_year: its reports are still coming in).';
COMMENT ON COLUMN mart_coverage.report_id IS 'The current report version when published, else NULL.';
COMMENT ON COLUMN mart_coverage.format_version IS 'Format of that report (UNKNOWN: published but no table read); NULL when missing.';
COMMENT ON COLUMN mart_coverage.versions IS 'Report versions loaded for the organ-year (0 when missing). Unit: files.';
COMMENT ON COLUMN mart_coverage.first_year IS 'First year the organ published in the warehouse; NULL for a registered organ that never did.';
COMMENT ON COLUMN mart_coverage.last_published_year IS 'For a missing year: the last earlier year the organ published; NULL when published.';
COMMENT ON COLUMN mart_coverage.years_since_published IS 'For a missing year: year - last_published_year. Unit: years.';
COMMENT ON COLUMN mart_coverage.registered IS 'True when data/register.csv lists the organ as one that must report (organ_register).';
COMMENT ON COLUMN mart_coverage.expected_from IS 'First year the organ is expected to report: the register''s first year (not before the warehouse''s first year) or its first published year, whichever is earlier.';
COMMENT ON COLUMN mart_coverage.expected_to IS 'Last year the organ is expected to report, from the register (merged or abolished); NULL while it still is.';
COMMENT ON COLUMN mart_coverage.organ_status IS 'The organ, whatever the row''s year: never (a registered organ without a single report), stopped (its last expected year that was due, up to closed_year, is missing and it published nothing of a later year: it published before and no longer does) or reporting.';
COMMENT ON COLUMN mart_coverage.closed_year IS 'The latest statistics year whose reports were due (by 31 January of the next year, Beijing time) when the newest report in the warehouse was loaded; the same on every row. A missing year after it does not make an organ stopped: its reports are still coming in.';
