-- Statutory consistency rules (FORMAT.md §6) and what they found. The rules themselves live in
-- expectations/rules.yaml; dim_rule is re-seeded from it on every rules run, so the catalogue stays
-- the one place a rule is declared.
CREATE TABLE IF NOT EXISTS dim_rule (
    rule_id    VARCHAR PRIMARY KEY,
    rule_class VARCHAR NOT NULL CHECK (rule_class IN ('S', 'F', 'X', 'Q')),
    check_group VARCHAR NOT NULL,
    severity   VARCHAR NOT NULL CHECK (severity IN ('error', 'warning', 'info')),
    title_zh   VARCHAR NOT NULL,
    title_en   VARCHAR NOT NULL
);

COMMENT ON TABLE dim_rule IS 'The consistency rules (勾稽关系) of FORMAT.md §6, one row per rule, seeded from expectations/rules.yaml on every rules run.';
COMMENT ON COLUMN dim_rule.rule_id IS 'Rule id as in FORMAT.md §6, e.g. T3-S1, T4-F2, H-X1.';
COMMENT ON COLUMN dim_rule.rule_class IS 'S: printed in the format; F: implied by a 总计 label; X: compares reports with each other; Q: plausibility.';
COMMENT ON COLUMN dim_rule.check_group IS 'Dagster asset check the rule reports under: S, F, X, Q, H (region sums) or D (copied reports).';
COMMENT ON COLUMN dim_rule.severity IS 'error (S, F: the report contradicts itself), warning or info (X, Q).';
COMMENT ON COLUMN dim_rule.title_zh IS 'What the rule checks, in Chinese.';
COMMENT ON COLUMN dim_rule.title_en IS 'What the rule checks, in English.';

-- Which organs' reports a government's region report sums (H-X1). There is no region dimension yet;
-- until there is, the relation comes from outside (e.g. the synthetic corpus's organs.json).
CREATE TABLE IF NOT EXISTS agency_parent (
    child_agency_id  VARCHAR NOT NULL,
    parent_agency_id VARCHAR NOT NULL,
    source           VARCHAR NOT NULL,
    PRIMARY KEY (child_agency_id, parent_agency_id)
);

COMMENT ON TABLE agency_parent IS 'Organ hierarchy for the region-sum rule H-X1: the parent is a government whose report covers its whole region, the children are the organs whose reports it sums. Organs without a row here are not checked by H-X1.';
COMMENT ON COLUMN agency_parent.child_agency_id IS 'Organ whose report is part of the region report, key into dim_agency (the id of its normalised name).';
COMMENT ON COLUMN agency_parent.parent_agency_id IS 'Government whose region report sums the child, key into dim_agency.';
COMMENT ON COLUMN agency_parent.source IS 'Where the link came from, e.g. the organs.json file it was read from.';

-- Recomputed from scratch by every rules run (delete, then insert, in one transaction), so the table
-- is identical after a re-run over the same warehouse.
CREATE TABLE IF NOT EXISTS findings (
    report_id          VARCHAR NOT NULL,
    rule_id            VARCHAR NOT NULL,
    instance           VARCHAR NOT NULL,
    status             VARCHAR NOT NULL CHECK (status IN ('fail', 'not_assessable')),
    severity           VARCHAR NOT NULL CHECK (severity IN ('error', 'warning', 'info')),
    cell_ids           VARCHAR[] NOT NULL,
    related_report_id  VARCHAR,
    related_cell_ids   VARCHAR[] NOT NULL,
    expected           DOUBLE,
    actual             DOUBLE,
    diff               DOUBLE,
    blank_decided      BOOLEAN NOT NULL,
    message_zh         VARCHAR NOT NULL,
    PRIMARY KEY (report_id, rule_id, instance)
);

COMMENT ON TABLE findings IS 'One row per (report, rule, failing instance): a rule the report breaks, or could not be checked on. Rebuilt by every rules run; a report with findings is still loaded.';
COMMENT ON COLUMN findings.report_id IS 'Report version the finding is about (for cross-year rules the later year, for H-X1 the region report), key into dim_report.';
COMMENT ON COLUMN findings.rule_id IS 'Rule broken, key into dim_rule.';
COMMENT ON COLUMN findings.instance IS 'Which instance of the rule in that report: a column code (T3-S1), a row code (T3-F1), a block (T4), an item (T2-X1), a cell id (Q1, H-X1); empty when the rule has one instance per report.';
COMMENT ON COLUMN findings.status IS 'fail: the printed numbers break the rule. not_assessable: the rule could not be decided (previous year or a child report missing, a cell the parser had to guess, data the parser does not keep); message_zh says why.';
COMMENT ON COLUMN findings.severity IS 'Severity of the rule (dim_rule.severity).';
COMMENT ON COLUMN findings.cell_ids IS 'Cells of this report involved in the instance (cell ids as in dim_cell).';
COMMENT ON COLUMN findings.related_report_id IS 'The other report compared with (previous year for cross-year rules), NULL when none or several.';
COMMENT ON COLUMN findings.related_cell_ids IS 'Cells of the related report (or of the child reports, for H-X1) involved; empty when none.';
COMMENT ON COLUMN findings.expected IS 'What the rule says the value should be (e.g. the sum of the parts, last year''s 结转下年度); NULL when the rule has no single expected number.';
COMMENT ON COLUMN findings.actual IS 'What the report prints (blank counted as 0).';
COMMENT ON COLUMN findings.diff IS 'actual - expected.';
COMMENT ON COLUMN findings.blank_decided IS 'True when a blank cell decided the outcome: the rule fails with blank = 0 and would hold if a blank cell on the short side held the difference.';
COMMENT ON COLUMN findings.message_zh IS 'The finding in Chinese for oversight staff: where, the printed numbers, and by how much.';

-- An audit log like load_run: one row per rule per run, so it grows by design.
CREATE TABLE IF NOT EXISTS rule_runs (
    run_id          VARCHAR NOT NULL,
    rule_id         VARCHAR NOT NULL,
    started_at      TIMESTAMPTZ NOT NULL,
    seconds         DOUBLE NOT NULL,
    fail_count      INTEGER NOT NULL,
    not_assessable  INTEGER NOT NULL,
    gx_success      BOOLEAN,
    gx_unexpected   INTEGER,
    gx_seconds      DOUBLE,
    PRIMARY KEY (run_id, rule_id)
);

COMMENT ON TABLE rule_runs IS 'Audit log of rules runs: one row per (run, rule) with what the SQL found and what the Great Expectations validation of the same SQL said. Grows on every run by design.';
COMMENT ON COLUMN rule_runs.run_id IS 'Dagster run id when run by Dagster, otherwise a random UUID.';
COMMENT ON COLUMN rule_runs.rule_id IS 'Rule, key into dim_rule.';
COMMENT ON COLUMN rule_runs.started_at IS 'When the rules run started.';
COMMENT ON COLUMN rule_runs.seconds IS 'Time to evaluate the rule into findings (fail and not-assessable SQL).';
COMMENT ON COLUMN rule_runs.fail_count IS 'Findings with status fail.';
COMMENT ON COLUMN rule_runs.not_assessable IS 'Findings with status not_assessable.';
COMMENT ON COLUMN rule_runs.gx_success IS 'Great Expectations: did the UnexpectedRowsExpectation built from the rule pass; NULL when GX was not run.';
COMMENT ON COLUMN rule_runs.gx_unexpected IS 'Great Expectations: unexpected rows the expectation counted (the rule''s violations before parser-uncertainty is taken into account); NULL when GX was not run.';
COMMENT ON COLUMN rule_runs.gx_seconds IS 'Time Great Expectations took to validate the rule; NULL when GX was not run.';

CREATE OR REPLACE VIEW report_findings AS
SELECT r.file_name AS source_file,
       coalesce(a.name, r.agency_name) AS agency,
       r.year,
       f.rule_id,
       f.severity,
       f.cell_ids,
       f.expected,
       f.actual,
       f.message_zh AS message,
       f.diff,
       f.blank_decided,
       f.report_id
FROM findings f
JOIN dim_report r USING (report_id)
LEFT JOIN dim_agency a USING (agency_id)
WHERE f.status = 'fail';

COMMENT ON VIEW report_findings IS 'What is wrong with each file: the failed rules (status fail) with the file name, organ and year. Rules that could not be checked are in report_not_assessable.';

COMMENT ON COLUMN report_findings.source_file IS 'File the report was loaded from (dim_report.file_name).';
COMMENT ON COLUMN report_findings.agency IS 'Reporting organ (normalised name from dim_agency, else the name as read).';
COMMENT ON COLUMN report_findings.year IS 'Statistics year of the report.';
COMMENT ON COLUMN report_findings.rule_id IS 'Rule broken (dim_rule).';
COMMENT ON COLUMN report_findings.severity IS 'error, warning or info.';
COMMENT ON COLUMN report_findings.cell_ids IS 'Cells of this report involved.';
COMMENT ON COLUMN report_findings.expected IS 'What the rule says the value should be.';
COMMENT ON COLUMN report_findings.actual IS 'What the report prints (blank counted as 0).';
COMMENT ON COLUMN report_findings.message IS 'The finding in Chinese.';
COMMENT ON COLUMN report_findings.diff IS 'actual - expected.';
COMMENT ON COLUMN report_findings.blank_decided IS 'A blank cell decided the outcome.';
COMMENT ON COLUMN report_findings.report_id IS 'Report version (content hash), key into dim_report.';

CREATE OR REPLACE VIEW report_not_assessable AS
SELECT r.file_name AS source_file,
       coalesce(a.name, r.agency_name) AS agency,
       r.year,
       f.rule_id,
       f.severity,
       f.cell_ids,
       f.message_zh AS reason,
       f.report_id
FROM findings f
JOIN dim_report r USING (report_id)
LEFT JOIN dim_agency a USING (agency_id)
WHERE f.status = 'not_assessable';

COMMENT ON VIEW report_not_assessable IS 'Rules that could not be decided for a file (previous year or child reports missing, cells the parser guessed), with the reason.';

COMMENT ON COLUMN report_not_assessable.source_file IS 'File the report was loaded from (dim_report.file_name).';
COMMENT ON COLUMN report_not_assessable.agency IS 'Reporting organ (normalised name from dim_agency, else the name as read).';
COMMENT ON COLUMN report_not_assessable.year IS 'Statistics year of the report.';
COMMENT ON COLUMN report_not_assessable.rule_id IS 'Rule that could not be decided (dim_rule).';
COMMENT ON COLUMN report_not_assessable.severity IS 'Severity the rule would have had.';
COMMENT ON COLUMN report_not_assessable.cell_ids IS 'Cells of this report involved, if any.';
COMMENT ON COLUMN report_not_assessable.reason IS 'Why the rule could not be decided, in Chinese.';
COMMENT ON COLUMN report_not_assessable.report_id IS 'Report version (content hash), key into dim_report.';
