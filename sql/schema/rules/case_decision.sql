-- Staff decisions on cases, from data/decisions.csv (written by hand or by `gongkai cases import`),
-- joined by the rules stage every night. A decision stays attached while the printed numbers it was made
-- on are unchanged; when they change it lapses (stale) and the case is reopened.
CREATE TABLE case_decision (
    case_id VARCHAR PRIMARY KEY,
    decision VARCHAR NOT NULL CHECK (decision IN ('confirmed', 'explained', 'false_alarm')),
    who VARCHAR NOT NULL,
    decided_on DATE NOT NULL,
    note VARCHAR,
    printed VARCHAR NOT NULL,
    stale BOOLEAN NOT NULL,
    line INTEGER NOT NULL,
    joined_at TIMESTAMPTZ NOT NULL
);

COMMENT ON TABLE case_decision IS 'The staff decision on each case (data/decisions.csv, keyed by case id), as the rules stage last joined it. Rows of the file it could not use are in decision_issue.';
COMMENT ON COLUMN case_decision.case_id IS 'Case, key into finding_case_log.';
COMMENT ON COLUMN case_decision.decision IS 'confirmed (confirmed and sent to the organ), explained (the organ explained it; note says why) or false_alarm.';
COMMENT ON COLUMN case_decision.who IS 'Who decided.';
COMMENT ON COLUMN case_decision.decided_on IS 'When.';
COMMENT ON COLUMN case_decision.note IS 'The note: for explained, the organ''s reason.';
COMMENT ON COLUMN case_decision.printed IS 'Fingerprint of the printed numbers the decision was made on (finding_case_log.printed then): given by the workbook it was imported from, else the case''s when the decision was first joined.';
COMMENT ON COLUMN case_decision.stale IS 'True when the case''s printed numbers are no longer those the decision was made on: the decision no longer counts and the case is reopened.';
COMMENT ON COLUMN case_decision.line IS 'Line of data/decisions.csv (1 is the header).';
COMMENT ON COLUMN case_decision.joined_at IS 'Start of the rules run that first joined this decision.';
