-- The history of each case, one row per change, appended by the rules stage: what the site shows under
-- a case and what "a finding never silently disappears" rests on.
CREATE TABLE finding_case_event (
    case_id VARCHAR NOT NULL,
    seen_at TIMESTAMPTZ NOT NULL,
    event VARCHAR NOT NULL
    CHECK (
        event IN (
            'opened', 'resolved', 'reopened', 'numbers_changed', 'decided', 'decision_lapsed', 'decision_withdrawn'
        )
    ),
    report_id VARCHAR,
    detail_zh VARCHAR NOT NULL,
    PRIMARY KEY (case_id, seen_at, event)
);

COMMENT ON TABLE finding_case_event IS 'Every change of every case (finding_case_log): opened, resolved (with the version that resolved it), reopened, its printed numbers changed, a staff decision recorded, lapsed (the numbers it was made on changed) or withdrawn. Appended by the rules stage; never rewritten.';
COMMENT ON COLUMN finding_case_event.case_id IS 'Case, key into finding_case_log.';
COMMENT ON COLUMN finding_case_event.seen_at IS 'Start of the rules run that saw the change.';
COMMENT ON COLUMN finding_case_event.event IS 'opened, resolved, reopened, numbers_changed, decided, decision_lapsed or decision_withdrawn.';
COMMENT ON COLUMN finding_case_event.report_id IS 'The report version concerned (the failing one, or the one that resolved the case), key into dim_report.';
COMMENT ON COLUMN finding_case_event.detail_zh IS 'What happened, in Chinese (the file, the decision and who made it).';
