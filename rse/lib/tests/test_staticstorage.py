"""Production static files: each hashed URL found once per process, missing names still refused."""

import json

import pytest

from rse.lib.staticstorage import StaticFilesStorage


@pytest.fixture
def storage(tmp_path, settings):
    settings.DEBUG = False
    manifest = {"paths": {"css/rse.css": "css/rse.0123abcd.css"}, "version": "1.1", "hash": "x"}
    (tmp_path / "staticfiles.json").write_text(json.dumps(manifest))
    return StaticFilesStorage(location=str(tmp_path), base_url="/static/")


def test_hashed_url_found_once(storage, monkeypatch):
    assert storage.url("css/rse.css") == "/static/css/rse.0123abcd.css"
    monkeypatch.setattr(storage, "hashed_files", {})  # what the manifest says is not read again
    assert storage.url("css/rse.css") == "/static/css/rse.0123abcd.css"


def test_a_name_missing_from_the_manifest_still_raises(storage):
    with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
        storage.url("css/missing.css")
    with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
        storage.url("css/missing.css")


def test_in_debug_the_plain_name(storage, settings):
    settings.DEBUG = True
    assert storage.url("css/rse.css") == "/static/css/rse.css"
