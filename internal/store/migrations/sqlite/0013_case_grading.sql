-- GB/T 30279-2020 grading of a case: its ten indicators (JSON), the grade
-- table that graded them (its SHA-256, and whether it was the provisional
-- default), the category and the CWE.
ALTER TABLE cases ADD COLUMN gbt_indicators TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN grade_table TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN grade_provisional INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN category TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN cwe TEXT NOT NULL DEFAULT '';
