-- The six prose sections of each report version, as the parser split them.
CREATE TABLE fact_section (
    report_id VARCHAR NOT NULL,
    section_key VARCHAR NOT NULL,
    heading VARCHAR,
    text VARCHAR NOT NULL
);

COMMENT ON TABLE fact_section IS 'Prose sections of a report version (总体情况, 存在的主要问题及改进情况, ...), one row per (report_id, section_key), enforced by the loader.';
COMMENT ON COLUMN fact_section.report_id IS 'Report version, key into dim_report.';
COMMENT ON COLUMN fact_section.section_key IS 'Section key s1..s6, numbered as in the statutory format (一 .. 六).';
COMMENT ON COLUMN fact_section.heading IS 'Statutory heading of that section (the format''s wording, not necessarily as printed); NULL for keys outside s1..s6.';
COMMENT ON COLUMN fact_section.text IS 'Section text as the parser extracted it.';
