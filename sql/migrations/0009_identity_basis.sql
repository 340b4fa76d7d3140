-- Incremental identity (issue 16): the basis the identity stage compares tonight's reports with. An
-- existing warehouse has none, so its first run after this migration resolves every report.

CREATE TABLE IF NOT EXISTS identity_basis (
    key VARCHAR NOT NULL,
    digest UBIGINT NOT NULL
);
