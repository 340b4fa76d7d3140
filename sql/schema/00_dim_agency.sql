-- Reporting organs. For now one row per distinct normalised name; a later issue resolves aliases
-- and adds level, region and sector, which is why agency_id is a key of its own and not the name.
CREATE TABLE IF NOT EXISTS dim_agency (
    agency_id VARCHAR PRIMARY KEY,
    name      VARCHAR NOT NULL
);

COMMENT ON TABLE dim_agency IS 'Reporting organs (政府信息公开工作年度报告的报告主体), one row per normalised organ name. Rows are added by the loader and never deleted by it.';
COMMENT ON COLUMN dim_agency.agency_id IS 'Stable key: first 16 hex digits of sha256 of the normalised name, so the same organ gets the same id in every warehouse and on every re-run.';
COMMENT ON COLUMN dim_agency.name IS 'Organ name as the report states it, normalised (Unicode NFKC, whitespace removed).';
