"""Issue 19 §3: the settings that change money (weeks a year, term, uplift) are saved with a version, covered by a
published version's digest, checked, and added to stores made before they existed (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from geodata.datadir import DataError
from tests.unit.test_store import CARD, VALID, plan
from zones.service.store import Store, StoreError, check_settings

SETTINGS = {"weeks_per_year": 53, "term_years": 5, "uplift_pct": "2.5"}


@pytest.fixture(params=["sqlite", "postgis"])
def url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 's.sqlite'}"
    return request.getfixturevalue("postgis_db")


def test_settings_round_trip_and_are_part_of_the_published_digest(url):
    store = Store(url)
    v1 = store.create("t", "S", plan().assignments(), CARD.to_dict(), valid_units=VALID, settings=SETTINGS)
    assert v1.settings == {"weeks_per_year": 53, "term_years": 5, "uplift_pct": "2.5"}
    v2 = store.save(v1.scenario_id, 1, plan().assignments(), CARD.to_dict(), valid_units=VALID)
    assert v2.settings is None  # a save without settings keeps none (the app always passes them)
    store.publish(v1.scenario_id, 1, snapshot={"totals": {}})
    assert store.load(v1.scenario_id, 1).settings == v1.settings
    with store.engine.begin() as c:  # someone edits the stored weeks of the published version behind the app
        if store.engine.dialect.name == "sqlite":
            c.exec_driver_sql("DROP TRIGGER published_versions_immutable")
        c.execute(
            sa.text("UPDATE versions SET settings = :s WHERE number = 1"),
            {"s": '{"weeks_per_year": 52, "term_years": 5, "uplift_pct": "2.5"}'},
        )
    with pytest.raises(StoreError, match="does not match its digest"):
        store.load(v1.scenario_id, 1)


def test_a_store_made_before_settings_gains_the_column_and_its_versions_still_verify(url):
    store = Store(url)
    v1 = store.create("t", "Old", plan().assignments(), CARD.to_dict(), valid_units=VALID)
    store.publish(v1.scenario_id, 1, snapshot={"totals": {}})
    with store.engine.begin() as c:  # the schema of the previous release
        c.exec_driver_sql("ALTER TABLE versions DROP COLUMN settings")
    store.engine.dispose()
    again = Store(url)  # opening migrates
    assert "settings" in {c["name"] for c in sa.inspect(again.engine).get_columns("versions")}
    old = again.load(v1.scenario_id, 1)
    assert old.published and old.settings is None  # its digest (made without settings) still verifies
    v2 = again.save(v1.scenario_id, 1, plan().assignments(), CARD.to_dict(), valid_units=VALID, settings=SETTINGS)
    assert v2.settings["weeks_per_year"] == 53


@pytest.mark.parametrize(
    "bad",
    [
        {"weeks_per_year": 54},
        {"term_years": 0},
        {"uplift_pct": "1e9"},
        {"uplift_pct": "NaN"},
        {"weeks": 52},
        ["weeks_per_year"],
        {"term_years": "five"},
    ],
)
def test_bad_settings_are_refused(bad):
    with pytest.raises(DataError):
        check_settings(bad)
