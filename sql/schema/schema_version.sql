-- The warehouse's schema version: one row per version it went through. The first step of a run
-- migrates the warehouse to the code's version (pipelines/warehouse/schema.py); every later step
-- only checks it.
CREATE TABLE schema_version (
    version INTEGER NOT NULL,
    fingerprint VARCHAR NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL,
    note VARCHAR NOT NULL
);

COMMENT ON TABLE schema_version IS 'Schema history of this warehouse file: one row per migration applied, and one whenever the views, comments or the dim_cell seed were refreshed. The latest row is the schema the warehouse has.';
COMMENT ON COLUMN schema_version.version IS 'Schema version: 1 is the schema of sql/schema/ as first versioned; each file of sql/migrations/ (NNNN_*.sql) raises it to its number.';
COMMENT ON COLUMN schema_version.fingerprint IS 'sha256 of the schema files, the migrations and the dim_cell seed the warehouse was brought up to date with; a different one makes the next run refresh views, comments and dim_cell.';
COMMENT ON COLUMN schema_version.applied_at IS 'When the row was written.';
COMMENT ON COLUMN schema_version.note IS 'What was done: created, adopted (a warehouse written before schema versions), a migration''s file name, or refreshed.';
