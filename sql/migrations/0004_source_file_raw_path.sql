-- A file name that is not UTF-8 (a GBK name out of a Windows zip) is stored as readable text in path,
-- and its exact bytes here.
ALTER TABLE source_file ADD COLUMN IF NOT EXISTS raw_path BLOB;
