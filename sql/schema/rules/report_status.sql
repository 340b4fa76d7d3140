-- Every report's verdict in three states, from the findings of the last rules run: passed (every rule
-- that applies was decided and none failed), failed, or unchecked (nothing failed, but a rule that
-- applies could not be decided: last year's or a subordinate's report missing, a guessed cell, the
-- scope of a government's report unknown). A rule that does not apply (no last year for an organ's
-- first report) is not a reason. The site says 通过 only for passed.
CREATE OR REPLACE VIEW report_status AS
WITH ran AS (
    SELECT count(*) > 0 AS ran FROM dim_rule
),

per_report AS (
    SELECT
        report_id,
        count(*) FILTER (WHERE status = 'fail') AS failed,
        count(*) FILTER (WHERE status = 'fail' AND severity = 'error') AS failed_error,
        count(*) FILTER (WHERE status = 'not_assessable') AS unchecked,
        CASE
            WHEN bool_or(status = 'fail' AND severity = 'error') THEN 'error'
            WHEN bool_or(status = 'fail' AND severity = 'warning') THEN 'warning'
            WHEN bool_or(status = 'fail') THEN 'info'
        END AS worst_severity,
        list(
            rule_id || '：' || message_zh
            ORDER BY
                status = 'not_assessable',
                CASE severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END,
                rule_id,
                instance
        ) AS reasons
    FROM findings
    GROUP BY report_id
)

SELECT
    r.report_id,
    r.file_name AS source_file,
    coalesce(a.name, r.agency_name) AS agency,
    r.year,
    CASE
        WHEN NOT ran.ran OR r.format_version = 'UNKNOWN' THEN 'unchecked'
        WHEN coalesce(p.failed, 0) > 0 THEN 'failed'
        WHEN coalesce(p.unchecked, 0) > 0 THEN 'unchecked'
        ELSE 'passed'
    END AS status,
    CASE
        WHEN NOT ran.ran THEN ['一致性检查尚未运行']
        WHEN r.format_version = 'UNKNOWN' THEN ['报告中没有识别出统计表格，无法核对']
        ELSE coalesce(p.reasons, [])
    END AS reasons,
    p.worst_severity,
    coalesce(p.failed, 0) AS failed,
    coalesce(p.failed_error, 0) AS failed_error,
    coalesce(p.unchecked, 0) AS unchecked,
    c.report_id IS NOT NULL AS is_current
FROM dim_report AS r
CROSS JOIN ran
LEFT JOIN per_report AS p ON r.report_id = p.report_id
LEFT JOIN dim_agency AS a ON r.agency_id = a.agency_id
LEFT JOIN current_report AS c ON r.report_id = c.report_id;

COMMENT ON VIEW report_status IS 'Every report version''s verdict: passed (every applicable rule decided, none failed), failed, or unchecked (no failure, but an applicable rule could not be decided), with the reasons. A rule that does not apply (no previous year for an organ''s first report) is not a reason.';
COMMENT ON COLUMN report_status.report_id IS 'Report version (content hash), key into dim_report.';
COMMENT ON COLUMN report_status.source_file IS 'File the report was loaded from (dim_report.file_name).';
COMMENT ON COLUMN report_status.agency IS 'Reporting organ (normalised name from dim_agency, else the name as read).';
COMMENT ON COLUMN report_status.year IS 'Statistics year of the report.';
COMMENT ON COLUMN report_status.status IS 'passed, failed or unchecked. unchecked also when the rules have not run or the report has no readable table.';
COMMENT ON COLUMN report_status.reasons IS 'Why, in Chinese, one entry per finding ("T3-S1：…"): the failures first (error, warning, info), then the rules that could not be decided; empty for passed.';
COMMENT ON COLUMN report_status.worst_severity IS 'Severity of the worst failed rule (error, warning, info); NULL when none failed.';
COMMENT ON COLUMN report_status.failed IS 'Failed rule instances (findings with status fail). Unit: findings.';
COMMENT ON COLUMN report_status.failed_error IS 'Of failed, those of severity error. Unit: findings.';
COMMENT ON COLUMN report_status.unchecked IS 'Rule instances that apply but could not be decided (findings with status not_assessable). Unit: findings.';
COMMENT ON COLUMN report_status.is_current IS 'True for the version current_report uses for its organ-year.';
