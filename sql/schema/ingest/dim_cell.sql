-- The statutory table cells as data, seeded from pipelines/layout.py (== cells.tsv) whenever the schema
-- is migrated. The same cell_id can mean the same thing in both formats, so the key is (cell_id, format).
CREATE TABLE dim_cell (
    cell_id VARCHAR NOT NULL,
    format VARCHAR NOT NULL,
    table_no VARCHAR NOT NULL,
    row_code VARCHAR NOT NULL,
    col_code VARCHAR NOT NULL,
    row_label VARCHAR NOT NULL,
    col_label VARCHAR NOT NULL,
    unit VARCHAR NOT NULL,
    group_code VARCHAR,
    PRIMARY KEY (cell_id, format)
);

COMMENT ON TABLE dim_cell IS 'Cells of the statutory report tables, one row per (cell_id, format). Join fact_cell USING (cell_id, format). Re-seeded from the layout on every schema check.';
COMMENT ON COLUMN dim_cell.cell_id IS 'Cell id "t<table>.<row_code>.<col_code>", e.g. t3.granted.natural_person (shared/spec/cells.tsv).';
COMMENT ON COLUMN dim_cell.format IS 'Statutory format the cell belongs to: F2019 or F2021.';
COMMENT ON COLUMN dim_cell.table_no IS 'Table of the report as numbered in the format: 二 (主动公开), 三 (依申请公开) or 四 (行政复议、行政诉讼).';
COMMENT ON COLUMN dim_cell.row_code IS 'Row part of cell_id (between the table prefix and the column part).';
COMMENT ON COLUMN dim_cell.col_code IS 'Column part of cell_id (after the last dot).';
COMMENT ON COLUMN dim_cell.row_label IS 'Row label as the statutory format prints it.';
COMMENT ON COLUMN dim_cell.col_label IS 'Column label as the statutory format prints it; · separates a header from its sub-header.';
COMMENT ON COLUMN dim_cell.unit IS 'Unit of the value: 件 (items), 个 (count of matters), 万元 (10,000 yuan), or "as printed" where the format leaves the unit to the report (F2019 fee amount).';
COMMENT ON COLUMN dim_cell.group_code IS 'Group of rows the cell belongs to, as the layout defines it: for table 三 the disposition (granted, partially_granted, denied, unavailable, not_handled, other), for table 四 the block (review, litigation_direct, litigation_after_review); NULL for rows outside a group.';
