"""How many generated tables the conformance suite checks.

CI runs a fixed sample that fits the CI budget; ``--conformance N`` runs N tables per
end-to-end test (and 10 x N for role suggestion), e.g. ``pytest tests/conformance
--conformance 300`` for hundreds (the option is declared in ``tests/conftest.py``).
"""

from __future__ import annotations

import pytest

CI_TABLES = 6
CI_ROLE_TABLES = 300


@pytest.fixture(scope="session")
def conformance_count(request: pytest.FixtureRequest) -> dict[str, int]:
    count = request.config.getoption("--conformance")
    if count is None:
        return {"tables": CI_TABLES, "roles": CI_ROLE_TABLES}
    return {"tables": count, "roles": 10 * count}
