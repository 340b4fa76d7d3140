-- The register of organs that must report (data/register.csv, read by the identity stage) and where
-- fetched files came from (the fetcher's state, copied by every ingest).

CREATE TABLE IF NOT EXISTS organ_register (
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

CREATE TABLE IF NOT EXISTS source_origin (
    path VARCHAR PRIMARY KEY,
    url VARCHAR NOT NULL,
    listing_url VARCHAR,
    division_code VARCHAR,
    organ VARCHAR
);
