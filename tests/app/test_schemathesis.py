"""Schemathesis over every operation of the in-process app, with every check."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings

from app.main import create_app
from app.runtime import Runtime
from app.settings import Settings
from tests.paths import REPO

app = create_app(Settings(access_log=False))
# Load the content as the lifespan would: schemathesis calls the ASGI app without it.
app.state.runtime = Runtime.load(Settings().packs)
config = schemathesis.config.SchemathesisConfig.from_path(str(REPO / "schemathesis.toml"))
schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=config)


@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_api_conforms_to_its_spec(case: schemathesis.Case) -> None:
    case.call_and_validate()
