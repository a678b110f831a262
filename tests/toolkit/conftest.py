"""Fixtures of the toolkit tests: a fake distribution installed for one test (the
fixture of the plugin-loading tests, shared rather than copied)."""

from __future__ import annotations

from tests.test_plugin_loading import site_dir

__all__ = ["site_dir"]
