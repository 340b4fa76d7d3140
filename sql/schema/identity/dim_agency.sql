-- Reporting organs and the governments above them, written by the identity stage alone; agency_id is
-- a key of its own (not the name) because one organ prints its name several ways.
CREATE TABLE dim_agency (
    agency_id VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL
);

COMMENT ON TABLE dim_agency IS 'Reporting organs (政府信息公开工作年度报告的报告主体) and the governments above them, one row per organ as pipelines/identity resolves it: names that differ only in how the place is written, or that data/aliases.csv maps together, are one organ. Profile in dim_agency_profile (has_reports tells the two apart).';
COMMENT ON COLUMN dim_agency.agency_id IS 'Stable key: first 16 hex digits of sha256 of the identity key (dim_agency_profile.identity_key), so an organ keeps its id across years, re-runs and warehouses.';
COMMENT ON COLUMN dim_agency.name IS 'Organ name as its latest report prints it (NFKC, whitespace removed, year and report words dropped, aliases applied).';
