-- Where fetched files came from: the fetcher's record (<inbox>/.gongkai-fetch/state.json) of each file
-- it put in the inbox, rewritten by every ingest, so that each report can show and link the URL it was
-- published at.
CREATE TABLE source_origin (
    path VARCHAR PRIMARY KEY,
    url VARCHAR NOT NULL,
    listing_url VARCHAR,
    division_code VARCHAR,
    organ VARCHAR
);

COMMENT ON TABLE source_origin IS 'Files the fetcher put in the inbox (sources.yaml), by path: the URL each was fetched from. Join dim_report.file_name = path. Files dropped into the inbox by hand have no row.';
COMMENT ON COLUMN source_origin.path IS 'File path relative to the inbox (as dim_report.file_name and source_file.path).';
COMMENT ON COLUMN source_origin.url IS 'The URL the file was fetched from (the published report).';
COMMENT ON COLUMN source_origin.listing_url IS 'The listing page (政府信息公开年报 column) the link was found on; NULL for a URL listed in sources.yaml itself.';
COMMENT ON COLUMN source_origin.division_code IS 'Division code (six digits) the sources.yaml entry says its reports belong to; the file is filed under fetched/<code>/, which places organs whose names do not say where they are. NULL when none.';
COMMENT ON COLUMN source_origin.organ IS 'Organ the sources.yaml entry names, taken for a report that names none; NULL when none.';
