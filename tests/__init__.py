"""The test suite (pytest-django, cms.settings.test): a package, so that its shared
helpers are imported by their path, `tests.support.*`."""
