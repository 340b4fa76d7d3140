-- The year totals everyone quotes, counting each application once: per year and province, and per
-- year for everything loaded (province NULL). Built from mart_total_basis: own-office reports and
-- the region reports that stand for their subordinates are summed; a region report whose
-- subordinates are all present is left out (they are summed instead), and so is every report a
-- counted region report already includes. Reports whose scope cannot be told are not added: they
-- are counted apart in the unknown_scope_* columns. Organs without a province (central organs,
-- unplaced ones) are in the everything row and in a row of their own ('中央' / '未确定地区').
CREATE OR REPLACE TABLE mart_year_total AS
WITH b AS (
    SELECT
        t.role,
        m.*,
        coalesce(m.province, CASE WHEN m.level = 'national' THEN '中央' ELSE '未确定地区' END) AS province_label,
        t.role IN ('counted', 'stands') AS summed
    FROM mart_total_basis AS t
    INNER JOIN mart_organ_year AS m USING (agency_id, year)
    WHERE year IN (SELECT sc.year FROM mart_scope_year AS sc) OR (SELECT sw.whole FROM mart_scope AS sw)
),

totals AS (
    SELECT
        year,
        CASE WHEN grouping(province_label) = 0 THEN province_label END AS province,
        count(*) AS reports,
        count(*) FILTER (WHERE role IN ('counted', 'stands', 'covered')) AS organs,
        count(*) FILTER (WHERE summed) AS reports_summed,
        count(*) FILTER (WHERE role = 'stands') AS region_reports_summed,
        count(*) FILTER (WHERE role = 'left_out') AS region_reports_left_out,
        count(*) FILTER (WHERE role = 'covered') AS reports_covered,
        count(*) FILTER (WHERE summed AND new_received IS NULL) AS reports_without_table,
        sum(new_received) FILTER (WHERE summed) AS new_received,
        sum(carried_over) FILTER (WHERE summed) AS carried_over,
        sum(handled) FILTER (WHERE summed) AS handled,
        sum(granted) FILTER (WHERE summed) AS granted,
        sum(partially_granted) FILTER (WHERE summed) AS partially_granted,
        sum(denied) FILTER (WHERE summed) AS denied,
        sum(unavailable) FILTER (WHERE summed) AS unavailable,
        sum(not_handled) FILTER (WHERE summed) AS not_handled,
        sum(other) FILTER (WHERE summed) AS other,
        sum(carried_forward) FILTER (WHERE summed) AS carried_forward,
        sum(review_total) FILTER (WHERE summed) AS review_total,
        sum(review_corrected) FILTER (WHERE summed) AS review_corrected,
        sum(litigation_total) FILTER (WHERE summed) AS litigation_total,
        sum(litigation_corrected) FILTER (WHERE summed) AS litigation_corrected,
        cast(coalesce(sum(guessed_measure_cells) FILTER (WHERE summed), 0) AS BIGINT) AS guessed_cells,
        count(*) FILTER (WHERE summed AND guessed_measure_cells > 0) AS guessed_reports,
        count(*) FILTER (WHERE role = 'unknown') AS unknown_scope_reports,
        sum(new_received) FILTER (WHERE role = 'unknown') AS unknown_scope_new_received,
        sum(handled) FILTER (WHERE role = 'unknown') AS unknown_scope_handled
    FROM b
    GROUP BY GROUPING SETS ((year, province_label), (year))
)

SELECT * FROM totals
ORDER BY year, province NULLS FIRST;

COMMENT ON TABLE mart_year_total IS 'Applications, outcomes, reviews and lawsuits per year, counting each application once: per province, and for everything loaded (province NULL). A region report (全区/全县) and its subordinates'' reports are never both summed (mart_total_basis says which is); reports of unknown scope are counted apart (unknown_scope_*), not added.';
COMMENT ON COLUMN mart_year_total.year IS 'Statistics year.';
COMMENT ON COLUMN mart_year_total.province IS 'Province-level division; 中央 for central organs, 未确定地区 for organs without a known province; NULL for the row of everything loaded.';
COMMENT ON COLUMN mart_year_total.reports IS 'Current reports of the year (one per organ), whatever their role. Unit: reports.';
COMMENT ON COLUMN mart_year_total.organs IS 'Organs whose applications the totals include: summed directly or through a region report that is summed. Unit: organs.';
COMMENT ON COLUMN mart_year_total.reports_summed IS 'Reports whose numbers are added: own-office reports and region reports standing for their subordinates. Unit: reports.';
COMMENT ON COLUMN mart_year_total.region_reports_summed IS 'Of reports_summed, region reports counted for subordinates that are missing, unreadable or of unknown scope. Unit: reports.';
COMMENT ON COLUMN mart_year_total.region_reports_left_out IS 'Region reports not added because all their subordinates'' reports are. Unit: reports.';
COMMENT ON COLUMN mart_year_total.reports_covered IS 'Reports not added because a region report summed above them includes them. Unit: reports.';
COMMENT ON COLUMN mart_year_total.reports_without_table IS 'Summed reports without a readable 表三 (they add nothing to the counts). Unit: reports.';
COMMENT ON COLUMN mart_year_total.new_received IS '表三 本年新收, summed once. Unit: 件.';
COMMENT ON COLUMN mart_year_total.carried_over IS '表三 上年结转. Unit: 件.';
COMMENT ON COLUMN mart_year_total.handled IS 'Applications handled: the outcome rows （一）–（六） (mart_organ_year.handled). Unit: 件.';
COMMENT ON COLUMN mart_year_total.granted IS '（一）予以公开. Unit: 件.';
COMMENT ON COLUMN mart_year_total.partially_granted IS '（二）部分公开. Unit: 件.';
COMMENT ON COLUMN mart_year_total.denied IS '（三）不予公开. Unit: 件.';
COMMENT ON COLUMN mart_year_total.unavailable IS '（四）无法提供. Unit: 件.';
COMMENT ON COLUMN mart_year_total.not_handled IS '（五）不予处理. Unit: 件.';
COMMENT ON COLUMN mart_year_total.other IS '（六）其他处理. Unit: 件.';
COMMENT ON COLUMN mart_year_total.carried_forward IS '表三 结转下年度继续办理. Unit: 件.';
COMMENT ON COLUMN mart_year_total.review_total IS '表四 行政复议 总计. Unit: 件.';
COMMENT ON COLUMN mart_year_total.review_corrected IS '表四 行政复议 结果纠正. Unit: 件.';
COMMENT ON COLUMN mart_year_total.litigation_total IS '表四 行政诉讼 总计 (both blocks). Unit: 件.';
COMMENT ON COLUMN mart_year_total.litigation_corrected IS '表四 行政诉讼 结果纠正 (both blocks). Unit: 件.';
COMMENT ON COLUMN mart_year_total.guessed_cells IS 'Cells the parser had to guess among those the sums above read: when not 0, the totals include guessed numbers (guessed_cell explains them). Unit: cells.';
COMMENT ON COLUMN mart_year_total.guessed_reports IS 'Summed reports with at least one such guessed cell. Unit: reports.';
COMMENT ON COLUMN mart_year_total.unknown_scope_reports IS 'Reports of unknown scope (a government whose report may or may not include its subordinates''), not in the sums above. Unit: reports.';
COMMENT ON COLUMN mart_year_total.unknown_scope_new_received IS '本年新收 of the unknown_scope_reports, not in new_received. Unit: 件.';
COMMENT ON COLUMN mart_year_total.unknown_scope_handled IS 'Applications handled of the unknown_scope_reports, not in handled. Unit: 件.';
