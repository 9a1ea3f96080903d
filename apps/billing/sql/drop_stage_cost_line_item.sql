-- Free the session's staging table after an import. No parameters; safe to run twice.
DROP TABLE IF EXISTS billing_stage_line_item;
