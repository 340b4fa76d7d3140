-- The cells the parser had to guess, explained in Chinese for the people who read them: what was
-- printed, why it could not be read for sure, the split taken and the other readings the table
-- allowed (pipelines/rules/guesses.py, from fact_cell.note). Brought up to date by every rules run.
CREATE TABLE guessed_cell (
    report_id VARCHAR NOT NULL,
    cell_id VARCHAR NOT NULL,
    format VARCHAR NOT NULL,
    value DOUBLE,
    note VARCHAR,
    run_text VARCHAR,
    chosen VARCHAR,
    readings VARCHAR[] NOT NULL,
    splits INTEGER,
    why_zh VARCHAR NOT NULL,
    PRIMARY KEY (report_id, cell_id)
);

COMMENT ON TABLE guessed_cell IS 'One row per cell the parser marked uncertain (fact_cell.uncertain): the guess explained in Chinese, with the other readings the table allowed. Wherever such a value is shown, the site marks it and shows why_zh.';
COMMENT ON COLUMN guessed_cell.report_id IS 'Report version, key into dim_report.';
COMMENT ON COLUMN guessed_cell.cell_id IS 'Cell, as in dim_cell.';
COMMENT ON COLUMN guessed_cell.format IS 'F2019 or F2021 (with cell_id, key into dim_cell).';
COMMENT ON COLUMN guessed_cell.value IS 'The value the parser took (fact_cell.value); NULL when no split fitted.';
COMMENT ON COLUMN guessed_cell.note IS 'The parser''s note, as in fact_cell.note (for developers).';
COMMENT ON COLUMN guessed_cell.run_text IS 'The digits as printed without separators (1062133913), when the guess splits such a run.';
COMMENT ON COLUMN guessed_cell.chosen IS 'The split taken for the whole run, cells separated by ｜ (10｜6｜2133913).';
COMMENT ON COLUMN guessed_cell.readings IS 'Other values this cell takes in the splits the table also allows, smallest first; empty when none is known.';
COMMENT ON COLUMN guessed_cell.splits IS 'How many splits of the run fit the table, when known. Unit: splits.';
COMMENT ON COLUMN guessed_cell.why_zh IS 'The explanation in Chinese: what was printed, why the reading is a guess, the split taken and the other readings.';
