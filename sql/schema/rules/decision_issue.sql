-- Rows of data/decisions.csv the rules stage could not use, with their line: reported, never stopping a run.
CREATE TABLE decision_issue (
    line INTEGER NOT NULL,
    case_id VARCHAR,
    problem_zh VARCHAR NOT NULL
);

COMMENT ON TABLE decision_issue IS 'Malformed or unknown rows of data/decisions.csv, rebuilt by every rules run: the run goes on without them.';
COMMENT ON COLUMN decision_issue.line IS 'Line of data/decisions.csv (1 is the header; 0 for the file as a whole).';
COMMENT ON COLUMN decision_issue.case_id IS 'Case id the row gives, NULL when none.';
COMMENT ON COLUMN decision_issue.problem_zh IS 'What is wrong, in Chinese.';
