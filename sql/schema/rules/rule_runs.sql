-- An audit log like load_run: one row per rule per run, so it grows by design.
CREATE TABLE rule_runs (
    run_id VARCHAR NOT NULL,
    rule_id VARCHAR NOT NULL,
    started_at TIMESTAMPTZ NOT NULL,
    seconds DOUBLE NOT NULL,
    fail_count INTEGER NOT NULL,
    not_assessable INTEGER NOT NULL,
    gx_success BOOLEAN,
    gx_unexpected INTEGER,
    gx_seconds DOUBLE,
    PRIMARY KEY (run_id, rule_id)
);

COMMENT ON TABLE rule_runs IS 'Audit log of rules runs: one row per (run, rule) with what the SQL found and what the Great Expectations validation of the same SQL said. Grows on every run by design.';
COMMENT ON COLUMN rule_runs.run_id IS 'Dagster run id when run by Dagster, otherwise a random UUID.';
COMMENT ON COLUMN rule_runs.rule_id IS 'Rule, key into dim_rule.';
COMMENT ON COLUMN rule_runs.started_at IS 'When the rules run started.';
COMMENT ON COLUMN rule_runs.seconds IS 'Time to evaluate the rule into findings (fail and not-assessable SQL).';
COMMENT ON COLUMN rule_runs.fail_count IS 'Findings with status fail after the run (of every report, judged by this run or an earlier one).';
COMMENT ON COLUMN rule_runs.not_assessable IS 'Findings with status not_assessable.';
COMMENT ON COLUMN rule_runs.gx_success IS 'Great Expectations: did the UnexpectedRowsExpectation built from the rule pass; NULL when GX was not run.';
COMMENT ON COLUMN rule_runs.gx_unexpected IS 'Great Expectations: unexpected rows the expectation counted among the reports the run judged (all on a full run; what changed and its neighbours otherwise), the rule''s violations before parser-uncertainty is taken into account; NULL when GX was not run.';
COMMENT ON COLUMN rule_runs.gx_seconds IS 'Time Great Expectations took to validate the rule; NULL when GX was not run.';
