-- What the findings were last computed from (pipelines/warehouse/delta.py): per report, a key naming
-- its organ, the organ's parent region, its year and its id, and a digest of the report's inputs to
-- the rules; one row with the empty key for the rules' version (catalogue, work tables, code). The
-- next run recomputes only the reports whose key or digest changed and their neighbours.
CREATE TABLE rules_basis (
    key VARCHAR NOT NULL,
    digest UBIGINT NOT NULL
);

COMMENT ON TABLE rules_basis IS 'The rules stage''s basis (pipelines/warehouse/delta.py): per report a digest of the inputs its findings were computed from, keyed organ|parent region|year|report_id; the empty key holds the rules'' version. A run recomputes the reports whose row changed and their neighbours.';
COMMENT ON COLUMN rules_basis.key IS 'organ, parent region, year and report_id joined by chr(31); empty for the version row.';
COMMENT ON COLUMN rules_basis.digest IS 'hash of the report''s inputs to the rules (or of the version).';
