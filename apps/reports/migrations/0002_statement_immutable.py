from django.db import migrations

# A closed statement is a snapshot: the database itself refuses to change one.
FORBID_UPDATE = """
CREATE OR REPLACE FUNCTION reports_statement_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'closed statement % is immutable', OLD.id USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER reports_statement_no_update BEFORE UPDATE ON reports_statement
    FOR EACH ROW EXECUTE FUNCTION reports_statement_immutable();
"""
ALLOW_UPDATE = """
DROP TRIGGER IF EXISTS reports_statement_no_update ON reports_statement;
DROP FUNCTION IF EXISTS reports_statement_immutable();
"""


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]

    operations = [migrations.RunSQL(FORBID_UPDATE, ALLOW_UPDATE)]
