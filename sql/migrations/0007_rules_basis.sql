-- Incremental rules (issue 16): the basis the rules stage compares tonight's reports with. An
-- existing warehouse has none, so its first run after this migration is a full run.

CREATE TABLE IF NOT EXISTS rules_basis (
    key VARCHAR NOT NULL,
    digest UBIGINT NOT NULL
);
