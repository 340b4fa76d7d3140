-- Subtotal (小计) rows some publishers add to 表三 (checked by rule T3-F3). The format has no such
-- cells, so they are not in fact_cell; the loader writes the printed values here.
CREATE TABLE fact_subtotal (
    report_id VARCHAR NOT NULL,
    group_code VARCHAR NOT NULL CHECK (group_code IN ('denied', 'unavailable', 'not_handled', 'other')),
    col_code VARCHAR NOT NULL,
    value DOUBLE,
    raw_text VARCHAR
);

COMMENT ON TABLE fact_subtotal IS 'Publisher-added 小计 rows of 表三 as printed, one row per (report_id, group_code, col_code). Checked by T3-F3 against the sum of the group''s rows.';
COMMENT ON COLUMN fact_subtotal.report_id IS 'Report version, key into dim_report.';
COMMENT ON COLUMN fact_subtotal.group_code IS 'Outcome group the subtotal sums (dim_cell.group_code): denied （三）, unavailable （四）, not_handled （五）, other （六）.';
COMMENT ON COLUMN fact_subtotal.col_code IS 'Applicant column (dim_cell.col_code of 表三).';
COMMENT ON COLUMN fact_subtotal.value IS 'The printed subtotal; NULL when blank.';
COMMENT ON COLUMN fact_subtotal.raw_text IS 'Cell text exactly as printed.';
