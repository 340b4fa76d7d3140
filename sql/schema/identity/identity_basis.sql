-- What the identity stage last resolved (pipelines/warehouse/delta.py): per report a digest of what the
-- stage reads of it; one row with the empty key for the stage's version (its data files, register,
-- declared scopes and code). The next run resolves only the reports whose row is new, gone or changed.
CREATE TABLE identity_basis (
    key VARCHAR NOT NULL,
    digest UBIGINT NOT NULL
);

COMMENT ON TABLE identity_basis IS 'The identity stage''s basis (pipelines/warehouse/delta.py): per report a digest of what the stage read of it; the empty key holds the stage''s version. A run resolves the reports whose row changed and recomputes their organs, the governments above them and those organs'' report scopes.';
COMMENT ON COLUMN identity_basis.key IS 'report_id; empty for the version row.';
COMMENT ON COLUMN identity_basis.digest IS 'hash of the report''s name, title, file name, year, warnings and parser version (or of the version).';
