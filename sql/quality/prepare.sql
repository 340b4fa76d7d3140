-- Work tables the rules in expectations/rules.yaml read, rebuilt at the start of every rules run.
--
-- Why tables and not views: every rule would otherwise re-scan and re-pivot fact_cell (~20 million
-- rows at national scale); pivoting once into per-column / per-row / per-block tables makes each
-- rule a scan of a few hundred thousand rows. They are real tables in the warehouse file (schema
-- `quality`), not TEMP tables, because Great Expectations validates the same rule SQL through its
-- own connection.
--
-- Conventions: v-columns hold the value with blank = 0 (FORMAT.md §6, lenient); the matching
-- `_b` column is true when that cell is blank or unreadable (no number and not a dash), which is
-- what "a blank cell decided it" refers to. A dash (—, -, /, 无) is the publisher saying "none".
-- Statements are separated by `-- step:` lines so the runner can time each one.

-- step: schema
CREATE SCHEMA IF NOT EXISTS quality;

-- step: macros
-- Numbers in messages as people read them: thousands separated (12,813), amounts as printed.
CREATE OR REPLACE MACRO quality.num(v) AS
CASE
    WHEN v IS NULL THEN '空白'
    WHEN v = trunc(v) AND abs(v) < 1e15 THEN format('{:,}', cast(v AS bigint))
    WHEN abs(v) < 1e15 THEN format('{:,}', cast(v AS double))
    ELSE cast(v AS varchar)
END;
CREATE OR REPLACE MACRO quality.shown(v, b) AS CASE WHEN b THEN '空白' ELSE quality.num(v) END;
-- Counts are integers stored as DOUBLE; amounts are printed with at most 6 decimals, so a gap above
-- half a millionth is a printed difference (5949.088667 vs 5949.09), not floating-point noise from
-- summing (which grows with the magnitude, hence the relative term).
CREATE OR REPLACE MACRO quality.differs(a, b) AS abs(a - b) > greatest(5e-7, 1e-12 * greatest(abs(a), abs(b)));
-- diff = actual - expected. A blank on the short side could have held the difference.
CREATE OR REPLACE MACRO quality.blank_decided(diff, expected_b, actual_b) AS
(diff < 0 AND actual_b) OR (diff > 0 AND expected_b);
CREATE OR REPLACE MACRO quality.blank_note(decided) AS
CASE WHEN decided THEN '；空白单元格按 0 计，由空白单元格决定' ELSE '' END;
CREATE OR REPLACE MACRO quality.is_blank(value, kind) AS value IS NULL AND kind <> 'dash';

-- step: report
-- One row per report in a statutory format. is_current marks the organ-year's version that
-- current_report (sql/schema/22_current_report.sql) picks, the same one the marts and the site use:
-- the same report can be loaded from several files (HTML and a text dump of it) or re-published,
-- and cross-year rules compare organ-years, not files.
CREATE OR REPLACE TABLE quality.report AS
WITH per_report AS (
    SELECT
        report_id,
        count(*) FILTER (WHERE uncertain) AS n_uncertain,
        -- non-zero flows: stocks (现行有效, 对外公开总数, 上一年项目数量) carry over unchanged legitimately
        count(
            *) FILTER (WHERE value <> 0 AND cell_id NOT LIKE '%.in_force'
        AND cell_id NOT LIKE '%.total_published' AND cell_id NOT LIKE '%.prev_year_items')
            AS n_nonzero_flow,
        -- Order-independent fingerprint of every (cell, value): equal fingerprints = identical cells.
        -- hash(a, b) combines the two hashes linearly, so XOR-folding it directly cancels out (the
        -- same value change in any two cells gives the same fingerprint); re-hashing mixes it first.
        bit_xor(hash(hash(cell_id, coalesce(value, 0)))) AS cell_fingerprint
    FROM fact_cell
    GROUP BY report_id
),

r AS (
    SELECT
        d.report_id,
        d.agency_id,
        d.year,
        d.format_version AS format,
        d.file_name,
        d.medium,
        d.loaded_at,
        d.warnings,
        coalesce(p.n_uncertain, 0) AS n_uncertain,
        coalesce(p.n_nonzero_flow, 0) AS n_nonzero_flow,
        p.cell_fingerprint
    FROM dim_report AS d
    LEFT JOIN per_report AS p USING (report_id)
    WHERE d.format_version IN ('F2019', 'F2021')
),

ranked AS (
    SELECT
        r.*,
        cur.report_id IS NOT NULL AS is_current
    FROM r
    LEFT JOIN current_report AS cur USING (report_id)
),

-- The first year the organ published: before it, a rule comparing with last year does not apply
-- (a new organ, or 2019, the first year of the statutory format), rather than lacks its input.
first_years AS (
    SELECT
        agency_id,
        min(year) AS first_year
    FROM current_report
    GROUP BY agency_id
)

SELECT
    c.*,
    fy.first_year,
    p.report_id AS prev_report_id,
    p.format AS prev_format,
    p.file_name AS prev_file_name,
    p.cell_fingerprint AS prev_cell_fingerprint
FROM ranked AS c
LEFT JOIN first_years AS fy ON c.agency_id = fy.agency_id
LEFT JOIN ranked AS p ON p.is_current AND c.agency_id = p.agency_id AND p.year = c.year - 1;

-- step: uncertain
-- Cells the parser had to guess (e.g. one of several splits of a run of glued digits). A rule that
-- fails on such a cell of the report it judges is not assessable rather than failed: the failure may
-- be the parser's, not the publisher's.
CREATE OR REPLACE TABLE quality.uncertain AS
SELECT
    report_id,
    cell_id,
    format,
    note
FROM fact_cell
WHERE uncertain;

-- step: t3_col
-- 表三 per (report, applicant column): the four rows of T3-S1 and the sum of the outcome rows (T3-F2).
-- Outcome rows are the cells with a group_code (dim_cell, from layout.T3_OUTCOME_ROWS), so the
-- per-format row lists are not repeated here. A row the report lacks counts as blank.
CREATE OR REPLACE TABLE quality.t3_col AS
SELECT
    f.report_id,
    c.col_code,
    coalesce(sum(coalesce(f.value, 0)) FILTER (WHERE c.row_code = 'new_received'), 0) AS new_received,
    coalesce(bool_or(quality.is_blank(f.value, f.kind)) FILTER (WHERE c.row_code = 'new_received'), TRUE)
        AS new_received_b,
    coalesce(sum(coalesce(f.value, 0)) FILTER (WHERE c.row_code = 'carried_over'), 0) AS carried_over,
    coalesce(bool_or(quality.is_blank(f.value, f.kind)) FILTER (WHERE c.row_code = 'carried_over'), TRUE)
        AS carried_over_b,
    coalesce(sum(coalesce(f.value, 0)) FILTER (WHERE c.row_code = 'total'), 0) AS total,
    coalesce(bool_or(quality.is_blank(f.value, f.kind)) FILTER (WHERE c.row_code = 'total'), TRUE) AS total_b,
    coalesce(sum(coalesce(f.value, 0)) FILTER (WHERE c.row_code = 'carried_forward'), 0) AS carried_forward,
    coalesce(bool_or(quality.is_blank(f.value, f.kind)) FILTER (WHERE c.row_code = 'carried_forward'), TRUE)
        AS carried_forward_b,
    coalesce(sum(coalesce(f.value, 0)) FILTER (WHERE c.group_code IS NOT NULL), 0) AS outcome_sum,
    coalesce(bool_or(quality.is_blank(f.value, f.kind)) FILTER (WHERE c.group_code IS NOT NULL), FALSE) AS outcome_b
FROM fact_cell AS f
INNER JOIN dim_cell AS c USING (cell_id, format)
WHERE c.table_no = '三'
GROUP BY f.report_id, c.col_code;

-- step: t3_row
-- 表三 per (report, row): the six applicant columns against 总计 (T3-F1), and the row's group.
CREATE OR REPLACE TABLE quality.t3_row AS
SELECT
    f.report_id,
    c.row_code,
    any_value(c.group_code) AS group_code,
    coalesce(sum(coalesce(f.value, 0)) FILTER (WHERE c.col_code <> 'total'), 0) AS applicant_sum,
    coalesce(bool_or(quality.is_blank(f.value, f.kind)) FILTER (WHERE c.col_code <> 'total'), FALSE) AS applicant_b,
    coalesce(sum(coalesce(f.value, 0)) FILTER (WHERE c.col_code = 'total'), 0) AS total,
    coalesce(bool_or(quality.is_blank(f.value, f.kind)) FILTER (WHERE c.col_code = 'total'), TRUE) AS total_b
FROM fact_cell AS f
INNER JOIN dim_cell AS c USING (cell_id, format)
WHERE c.table_no = '三'
GROUP BY f.report_id, c.row_code;

-- step: t4_block
-- 表四 per (report, block): the four results against 总计 (T4-F1..3).
CREATE OR REPLACE TABLE quality.t4_block AS
SELECT
    f.report_id,
    c.row_code AS block,
    coalesce(sum(coalesce(f.value, 0)) FILTER (WHERE c.col_code = 'upheld'), 0) AS upheld,
    coalesce(bool_or(quality.is_blank(f.value, f.kind)) FILTER (WHERE c.col_code = 'upheld'), TRUE) AS upheld_b,
    coalesce(sum(coalesce(f.value, 0)) FILTER (WHERE c.col_code = 'corrected'), 0) AS corrected,
    coalesce(bool_or(quality.is_blank(f.value, f.kind)) FILTER (WHERE c.col_code = 'corrected'), TRUE) AS corrected_b,
    coalesce(sum(coalesce(f.value, 0)) FILTER (WHERE c.col_code = 'other'), 0) AS other,
    coalesce(bool_or(quality.is_blank(f.value, f.kind)) FILTER (WHERE c.col_code = 'other'), TRUE) AS other_b,
    coalesce(sum(coalesce(f.value, 0)) FILTER (WHERE c.col_code = 'pending'), 0) AS pending,
    coalesce(bool_or(quality.is_blank(f.value, f.kind)) FILTER (WHERE c.col_code = 'pending'), TRUE) AS pending_b,
    coalesce(sum(coalesce(f.value, 0)) FILTER (WHERE c.col_code = 'total'), 0) AS total,
    coalesce(bool_or(quality.is_blank(f.value, f.kind)) FILTER (WHERE c.col_code = 'total'), TRUE) AS total_b
FROM fact_cell AS f
INNER JOIN dim_cell AS c USING (cell_id, format)
WHERE c.table_no = '四'
GROUP BY f.report_id, c.row_code;

-- step: t2_item
-- 表二 per (report, item): the measures the cross-year and unit rules read.
CREATE OR REPLACE TABLE quality.t2_item AS
SELECT
    f.report_id,
    c.row_code AS item,
    coalesce(sum(coalesce(f.value, 0)) FILTER (WHERE c.col_code = 'issued'), 0) AS issued,
    coalesce(bool_or(quality.is_blank(f.value, f.kind)) FILTER (WHERE c.col_code = 'issued'), TRUE) AS issued_b,
    coalesce(sum(coalesce(f.value, 0)) FILTER (WHERE c.col_code = 'repealed'), 0) AS repealed,
    coalesce(bool_or(quality.is_blank(f.value, f.kind)) FILTER (WHERE c.col_code = 'repealed'), TRUE) AS repealed_b,
    coalesce(sum(coalesce(f.value, 0)) FILTER (WHERE c.col_code = 'in_force'), 0) AS in_force,
    coalesce(bool_or(quality.is_blank(f.value, f.kind)) FILTER (WHERE c.col_code = 'in_force'), TRUE) AS in_force_b,
    coalesce(sum(coalesce(f.value, 0)) FILTER (WHERE c.col_code = 'prev_year_items'), 0) AS prev_year_items,
    coalesce(bool_or(quality.is_blank(f.value, f.kind)) FILTER (WHERE c.col_code = 'prev_year_items'), TRUE)
        AS prev_year_items_b,
    coalesce(sum(coalesce(f.value, 0)) FILTER (WHERE c.col_code = 'items_change'), 0) AS items_change,
    coalesce(bool_or(quality.is_blank(f.value, f.kind)) FILTER (WHERE c.col_code = 'items_change'), TRUE)
        AS items_change_b,
    sum(f.value) FILTER (WHERE c.col_code = 'amount') AS amount,
    any_value(f.raw_text) FILTER (WHERE c.col_code = 'amount') AS amount_raw,
    count(*) FILTER (WHERE c.col_code IN ('issued', 'repealed', 'in_force')) = 3 AS has_stock_flow,
    count(*) FILTER (WHERE c.col_code IN ('prev_year_items', 'items_change')) = 2 AS has_items
FROM fact_cell AS f
INNER JOIN dim_cell AS c USING (cell_id, format)
WHERE c.table_no = '二'
GROUP BY f.report_id, c.row_code;

-- step: sentences
-- Sentences of the report text, for the copied-report rule D-Q1: only for reports that have a
-- previous year or are one. Short fragments (headings, "无") would make any two reports look alike.
-- Years are blanked before hashing: a report copied from last year usually has its years updated
-- ("2023年，我局…" → "2024年，我局…") and nothing else; on the synthetic corpus that takes copies from
-- 45–80% identical sentences to 98%, while independent reports of an organ stay below 65%.
CREATE OR REPLACE TABLE quality.sentence AS
WITH involved AS (
    SELECT report_id FROM quality.report
    WHERE prev_report_id IS NOT NULL
    UNION
    SELECT prev_report_id FROM quality.report
    WHERE prev_report_id IS NOT NULL
),

parts AS (
    SELECT
        s.report_id,
        trim(unnest(string_split_regex(s.text, '[。！？；!?;\n]'))) AS sentence
    FROM fact_section AS s
    SEMI JOIN involved AS i ON s.report_id = i.report_id
)

SELECT DISTINCT
    report_id,
    hash(regexp_replace(sentence, '(19|20)[0-9]{2}', '#', 'g')) AS h,
    length(sentence) AS n
FROM parts
WHERE length(sentence) >= 8;

-- step: comments
COMMENT ON TABLE quality.report IS 'Rules work table: one row per report in a statutory format, with the organ-year''s current report flag, the organ''s first year and the previous year''s current report. Rebuilt by every rules run.';
COMMENT ON TABLE quality.uncertain IS 'Rules work table: cells the parser had to guess. Rebuilt by every rules run.';
COMMENT ON TABLE quality.t3_col IS 'Rules work table: 表三 per (report, applicant column), blank = 0 with _b blank flags. Rebuilt by every rules run.';
COMMENT ON TABLE quality.t3_row IS 'Rules work table: 表三 per (report, row): applicant sum and 总计. Rebuilt by every rules run.';
COMMENT ON TABLE quality.t4_block IS 'Rules work table: 表四 per (report, block). Rebuilt by every rules run.';
COMMENT ON TABLE quality.t2_item IS 'Rules work table: 表二 per (report, item). Rebuilt by every rules run.';
COMMENT ON TABLE quality.sentence IS 'Rules work table: hashed sentences (years blanked) of reports compared year to year, for D-Q1. Rebuilt by every rules run.';
COMMENT ON TABLE quality.label IS 'Rules work table: short Chinese labels of 表三 rows and columns, groups, 表二 items and 表四 blocks for messages, from pipelines/layout.py.';
COMMENT ON TABLE quality.cell_label IS 'Rules work table: a short Chinese label per (cell_id, format), e.g. 表三 予以公开·自然人, from pipelines/layout.py.';
