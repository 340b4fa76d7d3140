-- Reports whose organ could not be fully identified. They stay in every table (a report is never
-- dropped for this); these rows say what is missing and how to fix it in data/.
CREATE TABLE identity_issue (
    report_id VARCHAR NOT NULL,
    rule_id VARCHAR NOT NULL CHECK (rule_id IN ('ID-1', 'ID-2', 'ID-3', 'ID-4', 'ID-5')),
    severity VARCHAR NOT NULL CHECK (severity IN ('warning', 'info')),
    agency_id VARCHAR,
    name VARCHAR,
    message_zh VARCHAR NOT NULL,
    PRIMARY KEY (report_id, rule_id)
);

COMMENT ON TABLE identity_issue IS 'Organ identification problems, one row per (report, issue), written by the identity stage (for the reports new or changed since its last run, or every report). ID-1 no organ name; ID-2 region unknown; ID-3 region ambiguous; ID-4 sector unknown; ID-5 title and opening sentence name different organs or years.';
COMMENT ON COLUMN identity_issue.report_id IS 'Report version, key into dim_report.';
COMMENT ON COLUMN identity_issue.rule_id IS 'ID-1: neither the report nor its file name names an organ (agency_id stays NULL). ID-2: no division found in the name, title, body opening or file name. ID-3: the place name fits several divisions. ID-4: a department name matches no sector keyword. ID-5: the opening sentence names another organ or year than the title (the report keeps the title''s).';
COMMENT ON COLUMN identity_issue.severity IS 'warning (ID-1..3: the organ is missing from region and peer comparisons; ID-5: the organ or year may be wrong) or info (ID-4).';
COMMENT ON COLUMN identity_issue.agency_id IS 'Organ the report was assigned to, NULL for ID-1.';
COMMENT ON COLUMN identity_issue.name IS 'Organ name as resolved (normalised, aliases applied), NULL for ID-1.';
COMMENT ON COLUMN identity_issue.message_zh IS 'The problem in Chinese, and which data file fixes it.';
