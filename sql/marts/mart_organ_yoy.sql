-- Year-on-year change per organ: each organ-year against the same organ's previous calendar year.
-- When the organ did not publish the year before, the previous values are NULL (a gap is not a
-- change), and prev_year_published says so.
CREATE OR REPLACE TABLE mart_organ_yoy AS
SELECT
    c.agency_id,
    c.agency_name,
    c.level,
    c.organ_kind,
    c.sector,
    c.province,
    c.year,
    p.agency_id IS NOT NULL AS prev_year_published,
    c.new_received,
    p.new_received AS new_received_prev,
    c.new_received - p.new_received AS new_received_change,
    (c.new_received - p.new_received) / nullif(p.new_received, 0) AS new_received_change_pct,
    c.handled,
    p.handled AS handled_prev,
    c.handled - p.handled AS handled_change,
    c.denied,
    p.denied AS denied_prev,
    c.denied - p.denied AS denied_change,
    c.denied_share,
    p.denied_share AS denied_share_prev,
    c.denied_share - p.denied_share AS denied_share_change,
    c.grant_rate_handled,
    p.grant_rate_handled AS grant_rate_handled_prev,
    c.grant_rate_handled - p.grant_rate_handled AS grant_rate_handled_change,
    c.grant_rate_resolvable,
    p.grant_rate_resolvable AS grant_rate_resolvable_prev,
    c.grant_rate_resolvable - p.grant_rate_resolvable AS grant_rate_resolvable_change,
    c.review_total,
    p.review_total AS review_total_prev,
    c.review_total - p.review_total AS review_total_change,
    c.litigation_total,
    p.litigation_total AS litigation_total_prev,
    c.litigation_total - p.litigation_total AS litigation_total_change
FROM mart_organ_year AS c
LEFT JOIN mart_organ_year AS p ON c.agency_id = p.agency_id AND p.year = c.year - 1
WHERE c.agency_id IN (SELECT sc.agency_id FROM mart_scope_organ AS sc) OR (SELECT sw.whole FROM mart_scope AS sw)
ORDER BY c.agency_id, c.year;

COMMENT ON TABLE mart_organ_yoy IS 'Per organ and year: key measures against the same organ''s previous calendar year (NULL when it did not publish then). Built from mart_organ_year.';
COMMENT ON COLUMN mart_organ_yoy.agency_id IS 'Organ, key into dim_agency.';
COMMENT ON COLUMN mart_organ_yoy.agency_name IS 'Organ name.';
COMMENT ON COLUMN mart_organ_yoy.level IS 'national, province, city, county or township.';
COMMENT ON COLUMN mart_organ_yoy.organ_kind IS 'government or department.';
COMMENT ON COLUMN mart_organ_yoy.sector IS 'Sector (data/sectors.yaml).';
COMMENT ON COLUMN mart_organ_yoy.province IS 'Province-level division name.';
COMMENT ON COLUMN mart_organ_yoy.year IS 'Statistics year.';
COMMENT ON COLUMN mart_organ_yoy.prev_year_published IS 'Whether the organ published a report for year - 1.';
COMMENT ON COLUMN mart_organ_yoy.new_received IS 'Applications received this year. Unit: 件.';
COMMENT ON COLUMN mart_organ_yoy.new_received_prev IS 'Applications received the year before. Unit: 件.';
COMMENT ON COLUMN mart_organ_yoy.new_received_change IS 'new_received - new_received_prev. Unit: 件.';
COMMENT ON COLUMN mart_organ_yoy.new_received_change_pct IS 'new_received_change / new_received_prev; NULL when the previous year had none. Unit: fraction (0.25 = +25%).';
COMMENT ON COLUMN mart_organ_yoy.handled IS 'Applications handled this year (mart_organ_year.handled). Unit: 件.';
COMMENT ON COLUMN mart_organ_yoy.handled_prev IS 'Applications handled the year before. Unit: 件.';
COMMENT ON COLUMN mart_organ_yoy.handled_change IS 'handled - handled_prev. Unit: 件.';
COMMENT ON COLUMN mart_organ_yoy.denied IS 'Applications denied (不予公开) this year. Unit: 件.';
COMMENT ON COLUMN mart_organ_yoy.denied_prev IS 'Applications denied the year before. Unit: 件.';
COMMENT ON COLUMN mart_organ_yoy.denied_change IS 'denied - denied_prev. Unit: 件.';
COMMENT ON COLUMN mart_organ_yoy.denied_share IS 'denied / handled this year. Unit: fraction (0–1).';
COMMENT ON COLUMN mart_organ_yoy.denied_share_prev IS 'denied / handled the year before. Unit: fraction (0–1).';
COMMENT ON COLUMN mart_organ_yoy.denied_share_change IS 'denied_share - denied_share_prev. Unit: fraction (0.05 = 5 percentage points).';
COMMENT ON COLUMN mart_organ_yoy.grant_rate_handled IS 'granted / handled this year. Unit: fraction (0–1).';
COMMENT ON COLUMN mart_organ_yoy.grant_rate_handled_prev IS 'granted / handled the year before. Unit: fraction (0–1).';
COMMENT ON COLUMN mart_organ_yoy.grant_rate_handled_change IS 'Change in grant_rate_handled. Unit: fraction (percentage points / 100).';
COMMENT ON COLUMN mart_organ_yoy.grant_rate_resolvable IS 'granted / resolvable this year. Unit: fraction (0–1).';
COMMENT ON COLUMN mart_organ_yoy.grant_rate_resolvable_prev IS 'granted / resolvable the year before. Unit: fraction (0–1).';
COMMENT ON COLUMN mart_organ_yoy.grant_rate_resolvable_change IS 'Change in grant_rate_resolvable. Unit: fraction (percentage points / 100).';
COMMENT ON COLUMN mart_organ_yoy.review_total IS 'Administrative reviews this year. Unit: 件.';
COMMENT ON COLUMN mart_organ_yoy.review_total_prev IS 'Administrative reviews the year before. Unit: 件.';
COMMENT ON COLUMN mart_organ_yoy.review_total_change IS 'review_total - review_total_prev. Unit: 件.';
COMMENT ON COLUMN mart_organ_yoy.litigation_total IS 'Lawsuits (both blocks) this year. Unit: 件.';
COMMENT ON COLUMN mart_organ_yoy.litigation_total_prev IS 'Lawsuits the year before. Unit: 件.';
COMMENT ON COLUMN mart_organ_yoy.litigation_total_change IS 'litigation_total - litigation_total_prev. Unit: 件.';
