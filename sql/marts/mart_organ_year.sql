-- One row per organ and statistics year, read from the organ-year's current report (current_report).
-- Counts follow FORMAT.md §6: a blank cell counts as 0 when the report prints its table, and every
-- count is NULL when the table is missing from the report altogether (nothing to count from).
-- Outcome groups come from dim_cell.group_code (the layout), so both formats read the same way.
-- The current reports of the organs this build recomputes (mart_scope: every organ, or those a night
-- touched), as a table: its size lets the scans of fact_cell and fact_section skip the other reports.
CREATE OR REPLACE TEMP TABLE mart_organ_year_cur AS
SELECT
    report_id,
    agency_id,
    year,
    format_version,
    medium,
    versions,
    uncertain_cells
FROM current_report
WHERE agency_id IN (SELECT sc.agency_id FROM mart_scope_organ AS sc) OR (SELECT sw.whole FROM mart_scope AS sw);

CREATE OR REPLACE TABLE mart_organ_year AS
WITH cells AS (
    SELECT
        f.report_id,
        c.table_no,
        c.row_code,
        c.col_code,
        c.group_code,
        f.cell_id,
        f.value,
        f.uncertain,
        -- the columns below that read the cell
        list_filter(
            [
                CASE
                    WHEN c.table_no = '三' AND c.row_code IN ('new_received', 'carried_over', 'carried_forward')
                        THEN c.row_code
                END,
                CASE WHEN c.table_no = '三' AND c.row_code = 'total' THEN 'handled_printed' END,
                CASE WHEN c.table_no = '三' AND c.group_code IS NOT NULL THEN 'handled' END,
                CASE WHEN c.table_no = '三' THEN c.group_code END,
                CASE WHEN f.cell_id IN ('t4.review.total', 't4.review.corrected') THEN 'review_' || c.col_code END,
                CASE
                    WHEN c.table_no = '四' AND c.row_code <> 'review' AND c.col_code IN ('total', 'corrected')
                        THEN 'litigation_' || c.col_code
                END,
                CASE WHEN f.cell_id = 't2.admin_fee.amount' THEN 'admin_fee_wan' END
            ],
            m -> m IS NOT NULL
        ) AS measures
    FROM fact_cell AS f
    INNER JOIN dim_cell AS c USING (cell_id, format)
    WHERE
        f.report_id IN (SELECT cur.report_id FROM mart_organ_year_cur AS cur)
        AND ((c.table_no = '三' AND c.col_code = 'total') OR c.table_no = '四' OR f.cell_id = 't2.admin_fee.amount')
),

per_report AS (
    SELECT
        report_id,
        count(*) FILTER (WHERE table_no = '三') > 0 AS has_t3,
        count(*) FILTER (WHERE table_no = '四') > 0 AS has_t4,
        coalesce(sum(value) FILTER (WHERE row_code = 'new_received'), 0) AS new_received,
        coalesce(sum(value) FILTER (WHERE row_code = 'carried_over'), 0) AS carried_over,
        coalesce(sum(value) FILTER (WHERE row_code = 'total' AND table_no = '三'), 0) AS handled_printed,
        coalesce(sum(value) FILTER (WHERE row_code = 'carried_forward'), 0) AS carried_forward,
        coalesce(sum(value) FILTER (WHERE table_no = '三' AND group_code = 'granted'), 0) AS granted,
        coalesce(sum(value) FILTER (WHERE table_no = '三' AND group_code = 'partially_granted'), 0) AS partially_granted,
        coalesce(sum(value) FILTER (WHERE table_no = '三' AND group_code = 'denied'), 0) AS denied,
        coalesce(sum(value) FILTER (WHERE table_no = '三' AND group_code = 'unavailable'), 0) AS unavailable,
        coalesce(sum(value) FILTER (WHERE table_no = '三' AND group_code = 'not_handled'), 0) AS not_handled,
        coalesce(sum(value) FILTER (WHERE table_no = '三' AND group_code = 'other'), 0) AS other,
        sum(value) FILTER (WHERE cell_id = 't3.other_overdue_fee.total') AS overdue_fee_cases,
        coalesce(sum(value) FILTER (WHERE cell_id = 't4.review.total'), 0) AS review_total,
        coalesce(sum(value) FILTER (WHERE cell_id = 't4.review.corrected'), 0) AS review_corrected,
        coalesce(sum(value) FILTER (WHERE table_no = '四' AND row_code <> 'review' AND col_code = 'total'), 0)
            AS litigation_total,
        coalesce(sum(value) FILTER (WHERE table_no = '四' AND row_code <> 'review' AND col_code = 'corrected'), 0)
            AS litigation_corrected,
        sum(value) FILTER (WHERE cell_id = 't2.admin_fee.amount') AS admin_fee_wan,
        -- the measures that include a cell the parser guessed (a total is marked with its parts)
        count(*) FILTER (WHERE uncertain) AS guessed_cells,
        list_sort(list_distinct(flatten(list(measures) FILTER (WHERE uncertain)))) AS guessed_measures
    FROM cells
    GROUP BY report_id
),

fee AS (
    -- 信息处理费 is reported in prose (section 六): an amount when one is stated, 0 when the report
    -- says none was charged, NULL when it does not say.
    SELECT
        report_id,
        regexp_extract(t, '信息处理费[^。；;0-9]{0,20}?([0-9][0-9,]*(?:\.[0-9]+)?)(万?)元', ['amount', 'wan']) AS m,
        regexp_matches(t, '(未|无|不|没有)(收取|产生|发生|收)[^。；;，,]{0,8}信息处理费|信息处理费[^。；;，,]{0,6}(为零|为0元|为0|无)')
            AS none_charged
    FROM (
        SELECT
            fact_section.report_id,
            regexp_replace(fact_section.text, '\s+', '', 'g') AS t
        FROM fact_section
        WHERE
            fact_section.section_key = 's6'
            AND fact_section.report_id IN (SELECT cur.report_id FROM mart_organ_year_cur AS cur)
    ) AS s6
),

findings_per_report AS (
    SELECT
        findings.report_id,
        count(*) FILTER (WHERE findings.status = 'fail') AS findings_fail,
        count(*) FILTER (WHERE findings.status = 'fail' AND findings.severity = 'error') AS findings_error,
        count(*) FILTER (WHERE findings.status = 'not_assessable') AS findings_not_assessable
    FROM findings
    WHERE findings.report_id IN (SELECT cur.report_id FROM mart_organ_year_cur AS cur)
    GROUP BY findings.report_id
),

issues_per_report AS (
    SELECT
        identity_issue.report_id,
        count(*) AS identity_issues
    FROM identity_issue
    WHERE identity_issue.report_id IN (SELECT cur.report_id FROM mart_organ_year_cur AS cur)
    GROUP BY identity_issue.report_id
),

counted AS (
    SELECT
        cur.agency_id,
        cur.year,
        cur.report_id,
        cur.format_version,
        cur.medium,
        cur.versions,
        cur.uncertain_cells,
        CASE WHEN p.has_t3 THEN p.new_received END AS new_received,
        CASE WHEN p.has_t3 THEN p.carried_over END AS carried_over,
        CASE WHEN p.has_t3 THEN p.granted + p.partially_granted + p.denied + p.unavailable + p.not_handled + p.other END
            AS handled,
        CASE WHEN p.has_t3 THEN p.handled_printed END AS handled_printed,
        CASE WHEN p.has_t3 THEN p.carried_forward END AS carried_forward,
        CASE WHEN p.has_t3 THEN p.granted END AS granted,
        CASE WHEN p.has_t3 THEN p.partially_granted END AS partially_granted,
        CASE WHEN p.has_t3 THEN p.denied END AS denied,
        CASE WHEN p.has_t3 THEN p.unavailable END AS unavailable,
        CASE WHEN p.has_t3 THEN p.not_handled END AS not_handled,
        CASE WHEN p.has_t3 THEN p.other END AS other,
        CASE WHEN p.has_t4 THEN p.review_total END AS review_total,
        CASE WHEN p.has_t4 THEN p.review_corrected END AS review_corrected,
        CASE WHEN p.has_t4 THEN p.litigation_total END AS litigation_total,
        CASE WHEN p.has_t4 THEN p.litigation_corrected END AS litigation_corrected,
        p.admin_fee_wan,
        CASE
            WHEN fee.m.amount <> ''
                THEN
                    cast(replace(fee.m.amount, ',', '') AS DOUBLE)
                    * CASE WHEN fee.m.wan = '万' THEN 10000 ELSE 1 END
            WHEN fee.none_charged THEN 0
        END AS info_fee_yuan,
        p.overdue_fee_cases,
        coalesce(p.guessed_cells, 0) AS guessed_measure_cells,
        coalesce(p.guessed_measures, []) AS guessed_measures,
        coalesce(sc.scope, 'unknown') AS report_scope,
        coalesce(fr.findings_fail, 0) AS findings_fail,
        coalesce(fr.findings_error, 0) AS findings_error,
        coalesce(fr.findings_not_assessable, 0) AS findings_not_assessable,
        coalesce(ir.identity_issues, 0) AS identity_issues
    FROM mart_organ_year_cur AS cur
    LEFT JOIN per_report AS p USING (report_id)
    LEFT JOIN fee USING (report_id)
    LEFT JOIN findings_per_report AS fr USING (report_id)
    LEFT JOIN issues_per_report AS ir USING (report_id)
    LEFT JOIN report_scope AS sc USING (report_id)
)

SELECT
    c.agency_id,
    a.name AS agency_name,
    pr.level,
    pr.organ_kind,
    pr.sector,
    pr.province,
    pr.city,
    pr.county,
    pr.region_code,
    pr.province_code,
    pr.parent_agency_id,
    c.year,
    c.report_id,
    c.format_version,
    c.medium,
    c.versions,
    c.uncertain_cells,
    c.new_received,
    c.carried_over,
    c.handled,
    c.handled_printed,
    c.carried_forward,
    c.granted,
    c.partially_granted,
    c.denied,
    c.unavailable,
    c.not_handled,
    c.other,
    c.granted / nullif(c.handled, 0) AS granted_share,
    c.partially_granted / nullif(c.handled, 0) AS partially_granted_share,
    c.denied / nullif(c.handled, 0) AS denied_share,
    c.unavailable / nullif(c.handled, 0) AS unavailable_share,
    c.not_handled / nullif(c.handled, 0) AS not_handled_share,
    c.other / nullif(c.handled, 0) AS other_share,
    c.handled - c.not_handled - c.other AS resolvable,
    c.granted / nullif(c.handled, 0) AS grant_rate_handled,
    c.granted / nullif(c.handled - c.not_handled - c.other, 0) AS grant_rate_resolvable,
    c.review_total,
    c.review_corrected,
    c.review_corrected / nullif(c.review_total, 0) AS review_corrected_share,
    c.litigation_total,
    c.litigation_corrected,
    c.litigation_corrected / nullif(c.litigation_total, 0) AS litigation_corrected_share,
    c.admin_fee_wan,
    c.info_fee_yuan,
    c.overdue_fee_cases,
    c.guessed_measure_cells,
    c.guessed_measures,
    c.report_scope,
    c.findings_fail,
    c.findings_error,
    c.findings_not_assessable,
    c.identity_issues
FROM counted AS c
LEFT JOIN dim_agency AS a USING (agency_id)
LEFT JOIN dim_agency_profile AS pr USING (agency_id)
ORDER BY c.agency_id, c.year;

DROP TABLE mart_organ_year_cur;

COMMENT ON TABLE mart_organ_year IS 'Per organ and year: applications received and handled, outcome shares, grant rates, review and litigation, fees and findings, from the organ-year''s current report (current_report view). Counts are NULL when the report has no such table; blank cells count as 0.';
COMMENT ON COLUMN mart_organ_year.agency_id IS 'Organ, key into dim_agency.';
COMMENT ON COLUMN mart_organ_year.agency_name IS 'Organ name (dim_agency.name).';
COMMENT ON COLUMN mart_organ_year.level IS 'national, province, city, county or township (dim_agency_profile.level).';
COMMENT ON COLUMN mart_organ_year.organ_kind IS 'government or department (dim_agency_profile.organ_kind).';
COMMENT ON COLUMN mart_organ_year.sector IS 'Sector from data/sectors.yaml (dim_agency_profile.sector).';
COMMENT ON COLUMN mart_organ_year.province IS 'Province-level division name.';
COMMENT ON COLUMN mart_organ_year.city IS 'Prefecture-level division name.';
COMMENT ON COLUMN mart_organ_year.county IS 'County-level division name.';
COMMENT ON COLUMN mart_organ_year.region_code IS 'Most specific division code of the organ.';
COMMENT ON COLUMN mart_organ_year.province_code IS 'Province-level division code (2 digits).';
COMMENT ON COLUMN mart_organ_year.parent_agency_id IS 'Government the organ reports to (dim_agency_profile.parent_agency_id).';
COMMENT ON COLUMN mart_organ_year.year IS 'Statistics year.';
COMMENT ON COLUMN mart_organ_year.report_id IS 'The report version read (current_report), key into dim_report.';
COMMENT ON COLUMN mart_organ_year.format_version IS 'F2019, F2021 or UNKNOWN (published, but no table read: counts are NULL).';
COMMENT ON COLUMN mart_organ_year.medium IS 'Medium of the version read.';
COMMENT ON COLUMN mart_organ_year.versions IS 'Report versions loaded for this organ-year. Unit: files.';
COMMENT ON COLUMN mart_organ_year.uncertain_cells IS 'Cells of the version read that the parser had to guess. Unit: cells.';
COMMENT ON COLUMN mart_organ_year.new_received IS '表三 一、本年新收 (total column): applications received this year. Unit: 件.';
COMMENT ON COLUMN mart_organ_year.carried_over IS '表三 二、上年结转: applications carried over from last year. Unit: 件.';
COMMENT ON COLUMN mart_organ_year.handled IS 'Applications handled: the sum of the outcome rows （一）–（六） of 表三 三、本年度办理结果, so that the shares add up to 1. Unit: 件.';
COMMENT ON COLUMN mart_organ_year.handled_printed IS '表三 （七）总计 as printed; differs from handled when the report does not add up (see findings). Unit: 件.';
COMMENT ON COLUMN mart_organ_year.carried_forward IS '表三 四、结转下年度继续办理. Unit: 件.';
COMMENT ON COLUMN mart_organ_year.granted IS '（一）予以公开. Unit: 件.';
COMMENT ON COLUMN mart_organ_year.partially_granted IS '（二）部分公开. Unit: 件.';
COMMENT ON COLUMN mart_organ_year.denied IS '（三）不予公开, all eight reasons. Unit: 件.';
COMMENT ON COLUMN mart_organ_year.unavailable IS '（四）无法提供, all three reasons. Unit: 件.';
COMMENT ON COLUMN mart_organ_year.not_handled IS '（五）不予处理, all five reasons. Unit: 件.';
COMMENT ON COLUMN mart_organ_year.other IS '（六）其他处理 (one row in F2019, three in F2021). Unit: 件.';
COMMENT ON COLUMN mart_organ_year.granted_share IS 'granted / handled; NULL when nothing was handled. Unit: fraction (0–1).';
COMMENT ON COLUMN mart_organ_year.partially_granted_share IS 'partially_granted / handled. Unit: fraction (0–1).';
COMMENT ON COLUMN mart_organ_year.denied_share IS 'denied / handled. Unit: fraction (0–1).';
COMMENT ON COLUMN mart_organ_year.unavailable_share IS 'unavailable / handled. Unit: fraction (0–1).';
COMMENT ON COLUMN mart_organ_year.not_handled_share IS 'not_handled / handled. Unit: fraction (0–1).';
COMMENT ON COLUMN mart_organ_year.other_share IS 'other / handled. Unit: fraction (0–1).';
COMMENT ON COLUMN mart_organ_year.resolvable IS 'Applications decided on their merits: handled less not_handled and other. Unit: 件.';
COMMENT ON COLUMN mart_organ_year.grant_rate_handled IS 'granted (予以公开 only) / handled. Unit: fraction (0–1).';
COMMENT ON COLUMN mart_organ_year.grant_rate_resolvable IS 'granted / resolvable: the grant rate among applications decided on their merits. Unit: fraction (0–1).';
COMMENT ON COLUMN mart_organ_year.review_total IS '表四 行政复议 总计: administrative reviews. Unit: 件.';
COMMENT ON COLUMN mart_organ_year.review_corrected IS '表四 行政复议 结果纠正. Unit: 件.';
COMMENT ON COLUMN mart_organ_year.review_corrected_share IS 'review_corrected / review_total. Unit: fraction (0–1).';
COMMENT ON COLUMN mart_organ_year.litigation_total IS '表四 行政诉讼 总计, both blocks (未经复议直接起诉 + 复议后起诉). Unit: 件.';
COMMENT ON COLUMN mart_organ_year.litigation_corrected IS '表四 行政诉讼 结果纠正, both blocks. Unit: 件.';
COMMENT ON COLUMN mart_organ_year.litigation_corrected_share IS 'litigation_corrected / litigation_total. Unit: fraction (0–1).';
COMMENT ON COLUMN mart_organ_year.admin_fee_wan IS '表二 行政事业性收费 本年收费金额 (F2021 only; administrative fees the organ collects, not information fees). Unit: 万元.';
COMMENT ON COLUMN mart_organ_year.info_fee_yuan IS '信息处理费 charged to applicants, read from section 六: the stated amount, 0 when the report says none was charged, NULL when it does not say. Unit: 元.';
COMMENT ON COLUMN mart_organ_year.overdue_fee_cases IS '表三 （六）2 申请人逾期未按收费通知要求缴纳费用 (F2021 only). Unit: 件.';
COMMENT ON COLUMN mart_organ_year.guessed_measure_cells IS 'Cells the counts above read (表三 总计 column, 表四, 表二 收费金额) that the parser had to guess (guessed_cell explains each). Unit: cells.';
COMMENT ON COLUMN mart_organ_year.guessed_measures IS 'The columns of this row that include a guessed cell (e.g. [new_received, handled]): a total is listed when any of its parts is guessed; rates inherit from their counts. Empty when none.';
COMMENT ON COLUMN mart_organ_year.report_scope IS 'Whether the report covers the organ''s whole region (region: a government''s 全区 report, which includes its departments'' and lower governments'' numbers), its own office (office) or cannot be told (unknown); report_scope has the evidence. Never add region reports to their subordinates'': mart_year_total counts each application once.';
COMMENT ON COLUMN mart_organ_year.findings_fail IS 'Consistency rules the report fails (findings, status fail; 0 when the rules have not run). Unit: findings.';
COMMENT ON COLUMN mart_organ_year.findings_error IS 'Of findings_fail, those of severity error (the report contradicts itself). Unit: findings.';
COMMENT ON COLUMN mart_organ_year.findings_not_assessable IS 'Rules that could not be decided for the report. Unit: findings.';
COMMENT ON COLUMN mart_organ_year.identity_issues IS 'Organ identification issues of the report (identity_issue). Unit: issues.';
