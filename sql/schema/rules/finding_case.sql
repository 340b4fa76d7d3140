-- Each case with its organ, its automatic status, the staff's decision and the state an office counts.
CREATE OR REPLACE VIEW finding_case AS
WITH latest AS (
    SELECT max(started_at) AS at FROM rule_runs
)

SELECT
    l.case_id,
    l.rule_id,
    l.severity,
    l.agency_id,
    a.name AS agency,
    l.year,
    l.instance,
    l.status,
    CASE
        WHEN l.status = 'resolved' THEN 'resolved'
        WHEN d.decision IS NOT NULL AND NOT d.stale THEN d.decision
        ELSE l.status
    END AS state,
    l.first_seen,
    CASE WHEN l.status = 'resolved' THEN l.last_seen ELSE greatest(latest.at, l.status_since) END AS last_seen,
    l.status_since,
    CASE WHEN l.status = 'resolved' THEN l.status_since END AS resolved_at,
    CASE
        WHEN l.status = 'resolved' THEN date_diff('day', l.first_seen, l.status_since)
    END AS days_to_resolve,
    l.report_id,
    l.resolved_by,
    CASE WHEN NOT d.stale THEN d.decision END AS decision,
    d.decision AS decision_given,
    d.stale AS decision_stale,
    d.who AS decided_by,
    d.decided_on,
    d.note,
    l.reopened,
    l.printed,
    l.message_zh AS message
FROM finding_case_log AS l
CROSS JOIN latest
LEFT JOIN dim_agency AS a ON l.agency_id = a.agency_id
LEFT JOIN case_decision AS d ON l.case_id = d.case_id;

COMMENT ON VIEW finding_case IS 'Every case (organ, year, rule, instance) with its status, the staff decision joined from data/decisions.csv and the state an office counts by: resolved, else the decision while it holds (confirmed, explained, false_alarm), else open or reopened.';
COMMENT ON COLUMN finding_case.case_id IS 'Stable case key (finding_case_log.case_id).';
COMMENT ON COLUMN finding_case.rule_id IS 'Rule, key into dim_rule.';
COMMENT ON COLUMN finding_case.severity IS 'error, warning or info.';
COMMENT ON COLUMN finding_case.agency_id IS 'Organ, key into dim_agency.';
COMMENT ON COLUMN finding_case.agency IS 'Organ name.';
COMMENT ON COLUMN finding_case.year IS 'Statistics year.';
COMMENT ON COLUMN finding_case.instance IS 'Instance of the rule in the report (findings.instance).';
COMMENT ON COLUMN finding_case.status IS 'open, resolved or reopened (finding_case_log.status).';
COMMENT ON COLUMN finding_case.state IS 'What an office counts: resolved; else the decision while it holds (confirmed, explained, false_alarm); else open or reopened.';
COMMENT ON COLUMN finding_case.first_seen IS 'When the case was first found.';
COMMENT ON COLUMN finding_case.last_seen IS 'When it was last found failing: the latest rules run while it fails.';
COMMENT ON COLUMN finding_case.status_since IS 'When the status was set.';
COMMENT ON COLUMN finding_case.resolved_at IS 'When it was resolved; NULL unless resolved.';
COMMENT ON COLUMN finding_case.days_to_resolve IS 'Days from first seen to resolved; NULL unless resolved. Unit: days.';
COMMENT ON COLUMN finding_case.report_id IS 'The report version the case rests on (the current one when it last failed), key into dim_report.';
COMMENT ON COLUMN finding_case.resolved_by IS 'The report version that resolved it (a corrected re-publication); NULL unless resolved.';
COMMENT ON COLUMN finding_case.decision IS 'The staff decision while it holds: confirmed, explained or false_alarm; NULL when none or lapsed.';
COMMENT ON COLUMN finding_case.decision_given IS 'The decision in data/decisions.csv, held or lapsed.';
COMMENT ON COLUMN finding_case.decision_stale IS 'True when the decision lapsed: the printed numbers changed since it was made.';
COMMENT ON COLUMN finding_case.decided_by IS 'Who made the decision.';
COMMENT ON COLUMN finding_case.decided_on IS 'When.';
COMMENT ON COLUMN finding_case.note IS 'The decision''s note (for explained, the organ''s reason).';
COMMENT ON COLUMN finding_case.reopened IS 'Times the case was reopened. Unit: times.';
COMMENT ON COLUMN finding_case.printed IS 'Fingerprint of the printed numbers the case rests on.';
COMMENT ON COLUMN finding_case.message IS 'The finding in Chinese, as last found.';
