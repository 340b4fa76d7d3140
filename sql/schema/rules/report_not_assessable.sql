-- The rules each file could not be checked against, and why.
CREATE OR REPLACE VIEW report_not_assessable AS
SELECT
    r.file_name AS source_file,
    coalesce(a.name, r.agency_name) AS agency,
    r.year,
    f.rule_id,
    f.severity,
    f.cell_ids,
    f.message_zh AS reason,
    f.report_id
FROM findings AS f
INNER JOIN dim_report AS r USING (report_id)
LEFT JOIN dim_agency AS a USING (agency_id)
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
