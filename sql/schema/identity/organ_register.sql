-- The register of organs that must report (data/register.csv), as the identity stage read it: each row
-- with the organ it resolves to, or the problem that kept it out. mart_coverage counts a registered
-- organ's years from first_year on, so that an organ that never published shows as missing.
CREATE TABLE organ_register (
    line INTEGER NOT NULL,
    organ VARCHAR NOT NULL,
    region_code VARCHAR,
    parent VARCHAR,
    first_year INTEGER,
    last_year INTEGER,
    note VARCHAR,
    agency_id VARCHAR,
    agency_name VARCHAR,
    problem VARCHAR
);

COMMENT ON TABLE organ_register IS 'Organs expected to publish an annual report (data/register.csv), one row per line of the file, written by the identity stage whenever the file (or what resolves its names) changed. Rows with a problem are kept, with agency_id NULL, and count for nothing.';
COMMENT ON COLUMN organ_register.line IS 'Line of data/register.csv (1 is the header).';
COMMENT ON COLUMN organ_register.organ IS 'The organ as the register names it.';
COMMENT ON COLUMN organ_register.region_code IS 'Division code given to place a name without its place (six digits), NULL when none.';
COMMENT ON COLUMN organ_register.parent IS 'Parent government as the register names it, NULL when none.';
COMMENT ON COLUMN organ_register.first_year IS 'First year a report is expected; NULL: every year the warehouse holds.';
COMMENT ON COLUMN organ_register.last_year IS 'Last year a report is expected (the organ was merged or abolished after it); NULL: still expected.';
COMMENT ON COLUMN organ_register.note IS 'Free text: where the row comes from.';
COMMENT ON COLUMN organ_register.agency_id IS 'The organ the row resolves to, key into dim_agency (every registered organ has a row there, reports or not); NULL when the row has a problem.';
COMMENT ON COLUMN organ_register.agency_name IS 'Name of that organ as dim_agency shows it.';
COMMENT ON COLUMN organ_register.problem IS 'Why the row could not be used, in Chinese (bad year or code, a name without a place, a parent that disagrees); NULL when it was.';
