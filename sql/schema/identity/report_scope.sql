-- Whether each report's numbers cover its organ's whole region or its own office only, with the
-- evidence, written by the identity stage (pipelines/identity/scope.py). The region rule H-X1 judges
-- region reports against their parts, and mart_year_total counts each application once from it.
CREATE TABLE report_scope (
    report_id VARCHAR PRIMARY KEY,
    agency_id VARCHAR,
    year INTEGER,
    scope VARCHAR NOT NULL CHECK (scope IN ('region', 'office', 'unknown')),
    basis VARCHAR NOT NULL CHECK (basis IN ('declared', 'wording', 'sum', 'organ_kind', 'none')),
    declared VARCHAR CHECK (declared IN ('region', 'office')),
    declared_note VARCHAR,
    wording VARCHAR CHECK (wording IN ('region', 'office', 'conflict')),
    wording_strength VARCHAR CHECK (wording_strength IN ('strong', 'weak')),
    wording_text VARCHAR,
    sum_check VARCHAR
    CHECK (sum_check IN ('equal', 'mostly_equal', 'partly_equal', 'differs', 'below_parts', 'incomplete', 'no_parts')),
    parts_due INTEGER,
    parts_present INTEGER,
    cells_compared INTEGER,
    cells_equal INTEGER,
    evidence_zh VARCHAR NOT NULL
);

COMMENT ON TABLE report_scope IS 'One row per report version: whether its numbers cover the organ''s whole region (its departments'' and lower governments'' reports included), its own office only, or that cannot be told, and why. Rebuilt by the identity stage from data/report_scope.csv, the report''s wording and the sum of its subordinates'' reports.';
COMMENT ON COLUMN report_scope.report_id IS 'Report version, key into dim_report.';
COMMENT ON COLUMN report_scope.agency_id IS 'Organ, key into dim_agency; NULL when no organ was found.';
COMMENT ON COLUMN report_scope.year IS 'Statistics year of the report.';
COMMENT ON COLUMN report_scope.scope IS 'region: the numbers include the subordinate organs'' (a government''s 全区/全县 report); office: the organ''s own work only (every department; a government reporting on itself); unknown: nothing tells (kept apart in mart_year_total, not judged by H-X1).';
COMMENT ON COLUMN report_scope.basis IS 'What decided the scope: declared (a row of data/report_scope.csv), wording (the report says so), sum (its numbers equal, or cannot be, the sum of its subordinates'' reports), organ_kind (a department, or a township without reporting subordinates), none (unknown).';
COMMENT ON COLUMN report_scope.declared IS 'Scope declared for the organ and year in data/report_scope.csv, NULL when none.';
COMMENT ON COLUMN report_scope.declared_note IS 'The note of the declared row.';
COMMENT ON COLUMN report_scope.wording IS 'What the report''s text says of its scope (governments only): region (全区共受理…申请, 全县各级行政机关), office (本机关共收到…申请), conflict (both, equally strong), NULL (nothing).';
COMMENT ON COLUMN report_scope.wording_strength IS 'strong: the words stand beside a count of applications (or name 各级行政机关 / what the report sums); weak: the words alone (全区, 本机关). Strong wording outweighs the sum check, weak wording does not.';
COMMENT ON COLUMN report_scope.wording_text IS 'The words that were read, with a little context.';
COMMENT ON COLUMN report_scope.sum_check IS 'Governments with subordinate organs: equal (every non-zero 表三/表四 cell equals the sum of the subordinates'' reports of the year), mostly_equal (at least 75% do), partly_equal (at least 15% and 5 cells: a region total with errors, which H-X1 still judges), differs (fewer: not the sum of the parts loaded, or parts missing from the warehouse; H-X1 does not judge it), below_parts (fewer, and 本年新收 and 总计 both below the subordinates'' sum: cannot be a region total), incomplete (a subordinate''s report is missing), no_parts (no subordinate reported that year); NULL for other reports.';
COMMENT ON COLUMN report_scope.parts_due IS 'Subordinate organs (dim_agency_profile.parent_agency_id = this organ) that had reported by this year. Unit: organs.';
COMMENT ON COLUMN report_scope.parts_present IS 'Of parts_due, those with a report for the year. Unit: organs.';
COMMENT ON COLUMN report_scope.cells_compared IS '表三 and 表四 cells compared with the subordinates'' sum where either side is not zero. Unit: cells.';
COMMENT ON COLUMN report_scope.cells_equal IS 'Of cells_compared, those equal to the sum. Unit: cells.';
COMMENT ON COLUMN report_scope.evidence_zh IS 'The evidence in Chinese: the declared row, the words read, the sum check.';
