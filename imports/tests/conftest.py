"""Fixtures of the import's tests."""

import pytest

from imports import pending


@pytest.fixture(autouse=True)
def pending_folder(tmp_path, monkeypatch):
    """Checked files wait in a folder of the test's own: the real one, in the shared
    temporary folder, may hold other runs' files, which a sweep would remove."""
    folder = tmp_path / "pending"
    monkeypatch.setattr(pending, "FOLDER", folder)
    return folder
