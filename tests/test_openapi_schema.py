import io

import pytest
import yaml
from django.core.management import call_command
from openapi_spec_validator import validate


@pytest.mark.django_db
def test_openapi_schema_is_valid_and_generates_without_warnings(capsys):
    out = io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    schema = yaml.safe_load(out.getvalue())
    validate(schema)
    assert "/api/v1/catalog/endpoints/" in schema["paths"]
    assert "ApiToken" in schema["components"]["securitySchemes"]


@pytest.mark.django_db
def test_swagger_ui_and_schema_are_served(client, finance_user):
    client.force_login(finance_user)
    assert client.get("/api/docs/").status_code == 200
    assert client.get("/api/schema/").status_code == 200
