-- Findings as cases an office works through: one row per case, kept across nights by the rules stage
-- (pipelines/rules/cases.py) while the findings table is rebuilt. A case is an organ's year, a rule and
-- an instance of it (row, column, block, cell), never a file or a run: a re-published report, a parser
-- upgrade or a re-run finds the same case again. A case is never deleted: resolved cases stay, with the
-- version that resolved them.
CREATE TABLE finding_case_log (
    case_id VARCHAR PRIMARY KEY,
    agency_id VARCHAR NOT NULL,
    year INTEGER NOT NULL,
    rule_id VARCHAR NOT NULL,
    instance VARCHAR NOT NULL,
    severity VARCHAR NOT NULL CHECK (severity IN ('error', 'warning', 'info')),
    status VARCHAR NOT NULL CHECK (status IN ('open', 'resolved', 'reopened')),
    first_seen TIMESTAMPTZ NOT NULL,
    status_since TIMESTAMPTZ NOT NULL,
    last_seen TIMESTAMPTZ,
    report_id VARCHAR NOT NULL,
    resolved_by VARCHAR,
    printed VARCHAR NOT NULL,
    message_zh VARCHAR NOT NULL,
    reopened INTEGER NOT NULL
);

COMMENT ON TABLE finding_case_log IS 'One row per case (organ, year, rule, instance), kept by the rules stage across nights: open when first found, resolved when the organ''s current report no longer fails it, reopened when it fails again. Never deleted. Read finding_case, which adds the staff''s decisions.';
COMMENT ON COLUMN finding_case_log.case_id IS 'Stable case key: rule, year and the first 12 hex digits of sha256(agency_id, year, rule_id, instance), e.g. T3-S1-2024-3f2a9b1c04de.';
COMMENT ON COLUMN finding_case_log.agency_id IS 'Organ, key into dim_agency.';
COMMENT ON COLUMN finding_case_log.year IS 'Statistics year of the report.';
COMMENT ON COLUMN finding_case_log.rule_id IS 'Rule, key into dim_rule.';
COMMENT ON COLUMN finding_case_log.instance IS 'Which instance of the rule (findings.instance): a column, row, block or cell code; empty when the rule has one instance per report.';
COMMENT ON COLUMN finding_case_log.severity IS 'Severity of the rule when last found.';
COMMENT ON COLUMN finding_case_log.status IS 'open (found, not fixed), resolved (the current report no longer fails the rule there), reopened (failing again after being resolved, or its numbers changed since a staff decision).';
COMMENT ON COLUMN finding_case_log.first_seen IS 'Start of the rules run that first found the case.';
COMMENT ON COLUMN finding_case_log.status_since IS 'Start of the rules run that set the status (for resolved: when it was resolved).';
COMMENT ON COLUMN finding_case_log.last_seen IS 'For a resolved case: the start of the last rules run that still found it failing; NULL while it fails (finding_case fills it with the latest run).';
COMMENT ON COLUMN finding_case_log.report_id IS 'The report version the case rests on: the current version when it last failed, key into dim_report.';
COMMENT ON COLUMN finding_case_log.resolved_by IS 'For a resolved case: the current report version that no longer fails (a corrected re-publication); NULL otherwise, or when the organ-year has no report any more.';
COMMENT ON COLUMN finding_case_log.printed IS 'Fingerprint (md5) of the printed numbers the finding rests on: the values of its cells, what the rule expected and what was printed. A staff decision stays attached while it is unchanged.';
COMMENT ON COLUMN finding_case_log.message_zh IS 'The finding in Chinese, as last found.';
COMMENT ON COLUMN finding_case_log.reopened IS 'Times the case was reopened. Unit: times.';
