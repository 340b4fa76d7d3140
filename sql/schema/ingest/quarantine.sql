-- Keyed by content hash, like dim_report: a file is either a report or quarantined, never both,
-- and moving between the two is decided by the latest parse of those bytes.
CREATE TABLE quarantine (
    content_hash VARCHAR PRIMARY KEY,
    file_name VARCHAR NOT NULL,
    reason VARCHAR NOT NULL,
    medium_guess VARCHAR,
    detected_at TIMESTAMPTZ NOT NULL,
    parser_version VARCHAR
);

COMMENT ON TABLE quarantine IS 'Input files that could not be turned into a report, with the reason. One row per content hash; a row is removed when a later parser reads those bytes.';
COMMENT ON COLUMN quarantine.content_hash IS 'sha256 (hex) of the file bytes; "unread:" + sha256 of the file name when the file itself could not be read.';
COMMENT ON COLUMN quarantine.file_name IS 'Source file name (path relative to the inbox) under which these bytes were last seen.';
COMMENT ON COLUMN quarantine.reason IS 'One-line reason shown to users, from the parser (UnreadableInput) or "parser error: <type>: <message>" for a parser bug.';
COMMENT ON COLUMN quarantine.medium_guess IS 'Medium guessed from the file''s first bytes and extension (pdf, docx, doc, html, text, image), NULL when unknown.';
COMMENT ON COLUMN quarantine.detected_at IS 'When these bytes were first quarantined. Kept on re-runs so that re-running leaves the table unchanged.';
COMMENT ON COLUMN quarantine.parser_version IS 'Parser version (pipelines.parsing.parse.PARSER_VERSION) that rejected these bytes; an incremental run tries them again when the parser version changes. NULL for rows written before it was recorded.';
