-- The failed rules of each file, with its name, organ and year.
CREATE OR REPLACE VIEW report_findings AS
SELECT
    r.file_name AS source_file,
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
    f.report_id,
    f.instance
FROM findings AS f
INNER JOIN dim_report AS r USING (report_id)
LEFT JOIN dim_agency AS a USING (agency_id)
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
COMMENT ON COLUMN report_findings.instance IS 'Which instance of the rule in the report (findings.instance): with the organ, year and rule, what identifies the finding''s case (finding_case).';
