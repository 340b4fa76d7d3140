-- An audit log: unlike every other table it grows on each run by design, so it is left out when
-- re-runs are compared for identical contents.
CREATE TABLE IF NOT EXISTS load_run (
    run_id             VARCHAR PRIMARY KEY,
    started_at         TIMESTAMPTZ NOT NULL,
    finished_at        TIMESTAMPTZ NOT NULL,
    files_seen         INTEGER NOT NULL,
    parsed             INTEGER NOT NULL,
    quarantined        INTEGER NOT NULL,
    skipped_duplicates INTEGER NOT NULL
);

COMMENT ON TABLE load_run IS 'Audit log of pipeline runs, one row per run. Grows on every run by design (the only table that is not identical after a re-run).';
COMMENT ON COLUMN load_run.run_id IS 'Dagster run id when run by Dagster (gongkai run, schedule, sensor), otherwise a random UUID.';
COMMENT ON COLUMN load_run.started_at IS 'When the run started discovering files.';
COMMENT ON COLUMN load_run.finished_at IS 'When the run finished writing to the warehouse.';
COMMENT ON COLUMN load_run.files_seen IS 'Files found in the inbox.';
COMMENT ON COLUMN load_run.parsed IS 'Files parsed into reports and loaded.';
COMMENT ON COLUMN load_run.quarantined IS 'Files quarantined in this run.';
COMMENT ON COLUMN load_run.skipped_duplicates IS 'Files skipped because the same bytes appeared earlier in the same run (under another name).';
