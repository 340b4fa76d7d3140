-- What the inbox held, path by path, so that a nightly run reads and hashes only files whose size or
-- modification time changed, and parses only bytes it has not parsed with the current parser.
-- Rows are never deleted: a file that left the inbox keeps its row (last_seen says when it was last
-- there), and its report stays in dim_report.
CREATE TABLE source_file (
    path VARCHAR PRIMARY KEY,
    size BIGINT NOT NULL,
    mtime_ns BIGINT NOT NULL,
    content_hash VARCHAR NOT NULL,
    first_seen TIMESTAMPTZ NOT NULL,
    last_seen TIMESTAMPTZ NOT NULL,
    raw_path BLOB
);

COMMENT ON TABLE source_file IS 'Inbox files by path as the last run saw them: size, modification time and content hash. Lets a run skip unchanged files without reading them. last_seen changes on every run (like load_run, it is left out when re-runs are compared).';
COMMENT ON COLUMN source_file.path IS 'File path relative to the inbox (as dim_report.file_name and quarantine.file_name); a name that is not UTF-8 is shown as its GB18030 reading (or with its other bytes as \xNN), its bytes in raw_path.';
COMMENT ON COLUMN source_file.size IS 'File size in bytes when last hashed.';
COMMENT ON COLUMN source_file.mtime_ns IS 'Modification time (nanoseconds since the epoch) when last hashed; with size, what decides that a file is unchanged without reading it.';
COMMENT ON COLUMN source_file.content_hash IS 'sha256 (hex) of the bytes: dim_report.report_id when they loaded as a report, quarantine.content_hash when they did not.';
COMMENT ON COLUMN source_file.first_seen IS 'Start of the first run that found a file at this path.';
COMMENT ON COLUMN source_file.last_seen IS 'Start of the latest run that found a file at this path; older than the latest load_run when the file has left the inbox.';
COMMENT ON COLUMN source_file.raw_path IS 'The path''s bytes when they are not UTF-8 (a GBK name out of a Windows zip), so that path can be shown as text and nothing is lost; NULL for UTF-8 names.';
