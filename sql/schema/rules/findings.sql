-- Recomputed from scratch by every rules run (delete, then insert, in one transaction), so the table
-- is identical after a re-run over the same warehouse.
CREATE TABLE findings (
    report_id VARCHAR NOT NULL,
    rule_id VARCHAR NOT NULL,
    instance VARCHAR NOT NULL,
    status VARCHAR NOT NULL CHECK (status IN ('fail', 'not_assessable')),
    severity VARCHAR NOT NULL CHECK (severity IN ('error', 'warning', 'info')),
    cell_ids VARCHAR[] NOT NULL,
    related_report_id VARCHAR,
    related_cell_ids VARCHAR[] NOT NULL,
    expected DOUBLE,
    actual DOUBLE,
    diff DOUBLE,
    blank_decided BOOLEAN NOT NULL,
    message_zh VARCHAR NOT NULL,
    PRIMARY KEY (report_id, rule_id, instance)
);

COMMENT ON TABLE findings IS 'One row per (report, rule, failing instance): a rule the report breaks, or could not be checked on. Rebuilt by every rules run; a report with findings is still loaded.';
COMMENT ON COLUMN findings.report_id IS 'Report version the finding is about (for cross-year rules the later year, for H-X1 the region report), key into dim_report.';
COMMENT ON COLUMN findings.rule_id IS 'Rule broken, key into dim_rule.';
COMMENT ON COLUMN findings.instance IS 'Which instance of the rule in that report: a column code (T3-S1), a row code (T3-F1), a block (T4), an item (T2-X1), a cell id (Q1); empty when the rule has one instance per report (H-X1: every differing cell in one finding, and ''guessed'' for the cells whose comparison rests on a guessed cell).';
COMMENT ON COLUMN findings.status IS 'fail: the printed numbers break the rule. not_assessable: the rule could not be decided (previous year or a child report missing, a cell the parser had to guess, data the parser does not keep); message_zh says why.';
COMMENT ON COLUMN findings.severity IS 'Severity of the rule (dim_rule.severity).';
COMMENT ON COLUMN findings.cell_ids IS 'Cells of this report involved in the instance (cell ids as in dim_cell).';
COMMENT ON COLUMN findings.related_report_id IS 'The other report compared with (previous year for cross-year rules; for H-X1 the subordinate report that best explains the difference), NULL when none.';
COMMENT ON COLUMN findings.related_cell_ids IS 'Cells of the related report (or of the child reports, for H-X1) involved; empty when none.';
COMMENT ON COLUMN findings.expected IS 'What the rule says the value should be (e.g. the sum of the parts, last year''s 结转下年度; for H-X1 the subordinates'' sum of the cell with the largest gap); NULL when the rule has no single expected number.';
COMMENT ON COLUMN findings.actual IS 'What the report prints (blank counted as 0).';
COMMENT ON COLUMN findings.diff IS 'actual - expected.';
COMMENT ON COLUMN findings.blank_decided IS 'True when a blank cell decided the outcome: the rule fails with blank = 0 and would hold if a blank cell on the short side held the difference.';
COMMENT ON COLUMN findings.message_zh IS 'The finding in Chinese for oversight staff: where, the printed numbers, and by how much.';
