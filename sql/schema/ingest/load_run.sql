-- An audit log: unlike every other table it grows on each run by design, so it is left out when
-- re-runs are compared for identical contents.
CREATE TABLE load_run (
    run_id VARCHAR PRIMARY KEY,
    started_at TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ NOT NULL,
    files_seen INTEGER NOT NULL,
    parsed INTEGER NOT NULL,
    quarantined INTEGER NOT NULL,
    skipped_duplicates INTEGER NOT NULL,
    files_new INTEGER DEFAULT 0,
    files_changed INTEGER DEFAULT 0,
    files_unchanged INTEGER DEFAULT 0,
    findings INTEGER,
    parser_version VARCHAR
);

COMMENT ON TABLE load_run IS 'Audit log of pipeline runs, one row per run. Grows on every run by design (the only table that is not identical after a re-run).';
COMMENT ON COLUMN load_run.run_id IS 'Dagster run id when run by Dagster (gongkai run, schedule, sensor), otherwise a random UUID.';
COMMENT ON COLUMN load_run.started_at IS 'When the run started discovering files.';
COMMENT ON COLUMN load_run.finished_at IS 'When the run finished writing to the warehouse: the load, or the publish step of a nightly run (which also fills findings).';
COMMENT ON COLUMN load_run.files_seen IS 'Files found in the inbox (files_new + files_changed + files_unchanged, plus files that could not be read).';
COMMENT ON COLUMN load_run.parsed IS 'Files parsed into reports and loaded in this run: new or changed bytes, or every file when the parser version changed. Unchanged files are not parsed again.';
COMMENT ON COLUMN load_run.quarantined IS 'Files quarantined in this run.';
COMMENT ON COLUMN load_run.skipped_duplicates IS 'Files skipped because the same bytes appeared earlier in the same run (under another name).';
COMMENT ON COLUMN load_run.files_new IS 'Files at a path the warehouse had not seen before (source_file).';
COMMENT ON COLUMN load_run.files_changed IS 'Files at a known path whose bytes changed (a different content hash).';
COMMENT ON COLUMN load_run.files_unchanged IS 'Files at a known path with the same bytes (known from size and modification time without reading them, or by hashing them again).';
COMMENT ON COLUMN load_run.findings IS 'Failed rule instances (findings with status fail) in the warehouse this run published; NULL when the run did not reach the publish step or ran without the rules.';
COMMENT ON COLUMN load_run.parser_version IS 'Parser version of the run (pipelines.parsing.parse.PARSER_VERSION).';
