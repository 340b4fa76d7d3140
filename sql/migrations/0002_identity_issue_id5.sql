-- ID-5 (title and opening sentence disagree) joins the identity rules: the CHECK on rule_id cannot be
-- altered in place, and the table is refilled by every identity run, so it is made anew.
DROP TABLE identity_issue;

CREATE TABLE identity_issue (
    report_id VARCHAR NOT NULL,
    rule_id VARCHAR NOT NULL CHECK (rule_id IN ('ID-1', 'ID-2', 'ID-3', 'ID-4', 'ID-5')),
    severity VARCHAR NOT NULL CHECK (severity IN ('warning', 'info')),
    agency_id VARCHAR,
    name VARCHAR,
    message_zh VARCHAR NOT NULL,
    PRIMARY KEY (report_id, rule_id)
);
