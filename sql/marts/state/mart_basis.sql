-- What the marts were last built from, for the next build to recompute only what changed
-- (pipelines/warehouse/delta.py, pipelines/marts/incremental.py). Written by the marts stage with
-- its marts, in the same transaction; not a mart itself (sql/marts/*.sql are, this folder is not).
CREATE TABLE IF NOT EXISTS mart_basis (
    key VARCHAR,
    digest UBIGINT
);

COMMENT ON TABLE mart_basis IS 'What the marts were last built from: per organ a digest of the inputs the marts read about it (current reports with their scope, findings, identity issues and parser version; profile, name, register rows), one row for the years the warehouse holds, one (empty key) for the marts'' version. A build recomputes the rows of the organs whose digest changed, and every row when there is no basis, the version changed or a year came or went.';
COMMENT ON COLUMN mart_basis.key IS 'JSON of the organ, its parent and its regions (so a changed key tells where the organ was and is); ~years for the years held; empty for the version.';
COMMENT ON COLUMN mart_basis.digest IS 'Hash of the inputs.';
