-- The numbers. No primary key on purpose: at national scale (~200 million rows) an ART index costs
-- memory and slows bulk inserts; the loader guarantees one row per (report_id, cell_id) instead,
-- since it deletes a report's rows before inserting them again.
CREATE TABLE fact_cell (
    report_id VARCHAR NOT NULL,
    cell_id VARCHAR NOT NULL,
    format VARCHAR NOT NULL,
    value DOUBLE,
    raw_text VARCHAR,
    kind VARCHAR NOT NULL CHECK (kind IN ('number', 'blank', 'dash', 'text')),
    uncertain BOOLEAN NOT NULL,
    note VARCHAR,
    prov_table INTEGER,
    prov_row INTEGER,
    prov_col INTEGER,
    prov_page INTEGER,
    prov_bbox DOUBLE[]
);

COMMENT ON TABLE fact_cell IS 'One value of a statutory table cell in one report version, with where it was read. Unique on (report_id, cell_id), enforced by the loader.';
COMMENT ON COLUMN fact_cell.report_id IS 'Report version, key into dim_report.';
COMMENT ON COLUMN fact_cell.cell_id IS 'Cell id, with format a key into dim_cell.';
COMMENT ON COLUMN fact_cell.format IS 'Format of the report (dim_report.format_version), repeated here so that dim_cell joins on (cell_id, format) without going through dim_report.';
COMMENT ON COLUMN fact_cell.value IS 'The number: a count (件/个; items_change may be negative) or an amount in 万元 as printed. NULL when the source cell is blank, a dash, 无 or text.';
COMMENT ON COLUMN fact_cell.raw_text IS 'Cell text exactly as the source shows it; NULL when the source has no such cell.';
COMMENT ON COLUMN fact_cell.kind IS 'What the source cell held: number, blank, dash (-, —, /, 无) or text.';
COMMENT ON COLUMN fact_cell.uncertain IS 'True when the parser had to guess (e.g. split a run of digits printed without separators); see note.';
COMMENT ON COLUMN fact_cell.note IS 'Why the value is uncertain, e.g. the other possible splits or readings; for scans also the text OCR read and its lowest character probability (OCR ''12'' p=0.998); NULL otherwise.';
COMMENT ON COLUMN fact_cell.prov_table IS 'Provenance: position of the table in the source document, NULL if unknown.';
COMMENT ON COLUMN fact_cell.prov_row IS 'Provenance: row in that table, as the reader numbers it (after span expansion).';
COMMENT ON COLUMN fact_cell.prov_col IS 'Provenance: column in that row, as the reader numbers it (after span expansion).';
COMMENT ON COLUMN fact_cell.prov_page IS 'Provenance: PDF page number as the PDF reader gives it, or the page of a scan (1-based over its images); NULL for other media.';
COMMENT ON COLUMN fact_cell.prov_bbox IS 'Provenance: the cell''s box on that page, [x0, top, x1, bottom]: in PDF points from a text layer, in pixels of the page image for a scan (as decoded, or as rasterised at 200 dpi for a PDF page); NULL for other media.';
