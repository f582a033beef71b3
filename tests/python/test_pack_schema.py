"""An independent validator (the `jsonschema` package) and gw agree on what a valid pack is."""

import json
import pathlib

import jsonschema
import pytest
import yaml

REPO = pathlib.Path(__file__).resolve().parents[2]
SCHEMA = json.loads((REPO / "config" / "pack.schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)

GOOD = [REPO / "config" / "pack.yaml", *sorted(p for p in (REPO / "examples").glob("*.yaml") if not p.name.endswith(".cases.yaml"))]
BAD = sorted((REPO / "tests" / "fixtures" / "packs" / "invalid").glob("*.yaml"))


def test_schema_is_a_valid_draft_2020_12_schema():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.name)
def test_shipped_packs_validate(path):
    errors = list(VALIDATOR.iter_errors(yaml.safe_load(path.read_text())))
    assert not errors, [e.message for e in errors]


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.name)
def test_invalid_packs_are_rejected_by_the_schema_too(path):
    assert list(VALIDATOR.iter_errors(yaml.safe_load(path.read_text()))), f"{path.name} passed the schema"
