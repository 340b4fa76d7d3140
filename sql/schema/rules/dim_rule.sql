-- The statutory consistency rules (FORMAT.md §6), re-seeded from expectations/rules.yaml on every rules
-- run, so the catalogue stays the one place a rule is declared.
CREATE TABLE dim_rule (
    rule_id VARCHAR PRIMARY KEY,
    rule_class VARCHAR NOT NULL CHECK (rule_class IN ('S', 'F', 'X', 'Q')),
    check_group VARCHAR NOT NULL,
    severity VARCHAR NOT NULL CHECK (severity IN ('error', 'warning', 'info')),
    title_zh VARCHAR NOT NULL,
    title_en VARCHAR NOT NULL
);

COMMENT ON TABLE dim_rule IS 'The consistency rules (勾稽关系) of FORMAT.md §6, one row per rule, seeded from expectations/rules.yaml on every rules run.';
COMMENT ON COLUMN dim_rule.rule_id IS 'Rule id as in FORMAT.md §6, e.g. T3-S1, T4-F2, H-X1.';
COMMENT ON COLUMN dim_rule.rule_class IS 'S: printed in the format; F: implied by a 总计 label; X: compares reports with each other; Q: plausibility.';
COMMENT ON COLUMN dim_rule.check_group IS 'Dagster asset check the rule reports under: S, F, X, Q, H (region sums) or D (copied reports).';
COMMENT ON COLUMN dim_rule.severity IS 'error (S, F: the report contradicts itself), warning or info (X, Q).';
COMMENT ON COLUMN dim_rule.title_zh IS 'What the rule checks, in Chinese.';
COMMENT ON COLUMN dim_rule.title_en IS 'What the rule checks, in English.';
