-- Where an organ stands among its peers in the same year: organs of the same level and kind
-- (government or department), narrowed to the same sector or the same province. Rank 1 is the
-- largest value; organs without the value (no 表三, nothing handled) get no rank and do not push
-- others down. Organs whose level is unknown are left out. A region report (a government's 全区
-- report, which sums its departments' and towns') is ranked among region reports only, never beside
-- single organs.
CREATE OR REPLACE TABLE mart_peer_rank AS
WITH m AS (
    SELECT
        *,
        coalesce(report_scope = 'region', FALSE) AS region_report
    FROM mart_organ_year
    WHERE
        level IS NOT NULL
        AND (
            (year, level, organ_kind, coalesce(report_scope = 'region', FALSE))
            IN (SELECT (s.year, s.level, s.organ_kind, s.region_report) FROM mart_scope_peer AS s)
            OR (SELECT sw.whole FROM mart_scope AS sw)
        )
)

SELECT
    agency_id,
    agency_name,
    year,
    level,
    organ_kind,
    report_scope,
    sector,
    province,
    province_code,
    region_code,
    new_received,
    denied_share,
    grant_rate_resolvable,
    count(*) OVER (PARTITION BY year, level, organ_kind, region_report) AS peers_level,
    count(*) OVER (PARTITION BY year, level, organ_kind, region_report, sector) AS peers_sector,
    CASE
        WHEN
            province_code IS NOT NULL
            THEN count(*) OVER (PARTITION BY year, level, organ_kind, region_report, province_code)
    END
        AS peers_region,
    CASE
        WHEN new_received IS NOT NULL
            THEN
                rank()
                    OVER (
                        PARTITION BY year, level, organ_kind, region_report, new_received IS NULL
                        ORDER BY new_received DESC
                    )
    END AS new_received_rank_in_level,
    CASE
        WHEN new_received IS NOT NULL
            THEN
                rank()
                    OVER (
                        PARTITION BY year, level, organ_kind, region_report, sector, new_received IS NULL
                        ORDER BY new_received DESC
                    )
    END AS new_received_rank_in_sector,
    CASE
        WHEN new_received IS NOT NULL AND province_code IS NOT NULL
            THEN
                rank()
                    OVER (
                        PARTITION BY year, level, organ_kind, region_report, province_code, new_received IS NULL
                        ORDER BY new_received DESC
                    )
    END AS new_received_rank_in_region,
    CASE
        WHEN denied_share IS NOT NULL
            THEN
                rank()
                    OVER (
                        PARTITION BY year, level, organ_kind, region_report, denied_share IS NULL
                        ORDER BY denied_share DESC
                    )
    END AS denied_share_rank_in_level,
    CASE
        WHEN denied_share IS NOT NULL
            THEN
                rank()
                    OVER (
                        PARTITION BY year, level, organ_kind, region_report, sector, denied_share IS NULL
                        ORDER BY denied_share DESC
                    )
    END AS denied_share_rank_in_sector,
    CASE
        WHEN denied_share IS NOT NULL AND province_code IS NOT NULL
            THEN
                rank()
                    OVER (
                        PARTITION BY year, level, organ_kind, region_report, province_code, denied_share IS NULL
                        ORDER BY denied_share DESC
                    )
    END AS denied_share_rank_in_region,
    CASE
        WHEN grant_rate_resolvable IS NOT NULL
            THEN
                rank()
                    OVER (
                        PARTITION BY year, level, organ_kind, region_report, grant_rate_resolvable IS NULL
                        ORDER BY grant_rate_resolvable DESC
                    )
    END AS grant_rate_resolvable_rank_in_level,
    CASE
        WHEN grant_rate_resolvable IS NOT NULL
            THEN
                rank()
                    OVER (
                        PARTITION BY year, level, organ_kind, region_report, sector, grant_rate_resolvable IS NULL
                        ORDER BY grant_rate_resolvable DESC
                    )
    END AS grant_rate_resolvable_rank_in_sector,
    CASE
        WHEN grant_rate_resolvable IS NOT NULL AND province_code IS NOT NULL
            THEN
                rank()
                    OVER (
                        PARTITION BY
                            year, level, organ_kind, region_report, province_code, grant_rate_resolvable IS NULL
                        ORDER BY grant_rate_resolvable DESC
                    )
    END AS grant_rate_resolvable_rank_in_region
FROM m
ORDER BY year, level, organ_kind, agency_id;

COMMENT ON TABLE mart_peer_rank IS 'Per organ and year: rank among peers of the same year, level and kind, narrowed to the same sector (_in_sector) or province (_in_region). Region reports (report_scope region: they sum their subordinates'') form peer groups of their own. Rank 1 = largest value; NULL when the organ has no value. Built from mart_organ_year.';
COMMENT ON COLUMN mart_peer_rank.agency_id IS 'Organ, key into dim_agency.';
COMMENT ON COLUMN mart_peer_rank.agency_name IS 'Organ name.';
COMMENT ON COLUMN mart_peer_rank.year IS 'Statistics year.';
COMMENT ON COLUMN mart_peer_rank.level IS 'national, province, city, county or township.';
COMMENT ON COLUMN mart_peer_rank.organ_kind IS 'government or department.';
COMMENT ON COLUMN mart_peer_rank.report_scope IS 'region, office or unknown (report_scope): region reports are ranked among region reports only.';
COMMENT ON COLUMN mart_peer_rank.sector IS 'Sector (data/sectors.yaml).';
COMMENT ON COLUMN mart_peer_rank.province IS 'Province-level division name.';
COMMENT ON COLUMN mart_peer_rank.province_code IS 'Province-level division code: the region peer group.';
COMMENT ON COLUMN mart_peer_rank.region_code IS 'Most specific division code of the organ.';
COMMENT ON COLUMN mart_peer_rank.new_received IS 'Applications received. Unit: 件.';
COMMENT ON COLUMN mart_peer_rank.denied_share IS 'denied / handled. Unit: fraction (0–1).';
COMMENT ON COLUMN mart_peer_rank.grant_rate_resolvable IS 'granted / resolvable. Unit: fraction (0–1).';
COMMENT ON COLUMN mart_peer_rank.peers_level IS 'Organs published in the peer group: same year, level and kind (all county-level departments, say). Unit: organs.';
COMMENT ON COLUMN mart_peer_rank.peers_sector IS 'Organs published in the peer group: same year, level, kind and sector (county-level finance bureaus, say). Unit: organs.';
COMMENT ON COLUMN mart_peer_rank.peers_region IS 'Organs published in the peer group: same year, level and kind in the same province. Unit: organs.';
COMMENT ON COLUMN mart_peer_rank.new_received_rank_in_level IS 'Rank by applications received (1 = most) among peers of the same year, level and kind (all county-level departments, say).';
COMMENT ON COLUMN mart_peer_rank.new_received_rank_in_sector IS 'Rank by applications received (1 = most) among peers of the same year, level, kind and sector (county-level finance bureaus, say).';
COMMENT ON COLUMN mart_peer_rank.new_received_rank_in_region IS 'Rank by applications received (1 = most) among peers of the same year, level and kind in the same province.';
COMMENT ON COLUMN mart_peer_rank.denied_share_rank_in_level IS 'Rank by denied share (1 = denies the largest share) among peers of the same year, level and kind (all county-level departments, say).';
COMMENT ON COLUMN mart_peer_rank.denied_share_rank_in_sector IS 'Rank by denied share (1 = denies the largest share) among peers of the same year, level, kind and sector (county-level finance bureaus, say).';
COMMENT ON COLUMN mart_peer_rank.denied_share_rank_in_region IS 'Rank by denied share (1 = denies the largest share) among peers of the same year, level and kind in the same province.';
COMMENT ON COLUMN mart_peer_rank.grant_rate_resolvable_rank_in_level IS 'Rank by grant rate over resolvable applications (1 = highest) among peers of the same year, level and kind (all county-level departments, say).';
COMMENT ON COLUMN mart_peer_rank.grant_rate_resolvable_rank_in_sector IS 'Rank by grant rate over resolvable applications (1 = highest) among peers of the same year, level, kind and sector (county-level finance bureaus, say).';
COMMENT ON COLUMN mart_peer_rank.grant_rate_resolvable_rank_in_region IS 'Rank by grant rate over resolvable applications (1 = highest) among peers of the same year, level and kind in the same province.';
