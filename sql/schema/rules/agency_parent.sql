-- Which organs' reports a government's region report sums (H-X1), read from organs.json files in the inbox.
CREATE TABLE agency_parent (
    child_agency_id VARCHAR NOT NULL,
    parent_agency_id VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    PRIMARY KEY (child_agency_id, parent_agency_id)
);

COMMENT ON TABLE agency_parent IS 'Organ hierarchy for the region-sum rule H-X1: the parent is a government whose report covers its whole region, the children are the organs whose reports it sums. Organs without a row here are not checked by H-X1.';
COMMENT ON COLUMN agency_parent.child_agency_id IS 'Organ whose report is part of the region report, key into dim_agency (the id of its normalised name).';
COMMENT ON COLUMN agency_parent.parent_agency_id IS 'Government whose region report sums the child, key into dim_agency.';
COMMENT ON COLUMN agency_parent.source IS 'Where the link came from, e.g. the organs.json file it was read from.';
