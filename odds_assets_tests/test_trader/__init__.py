"""Tests of the trader's view: ``odds show``, ``odds history`` and the views of migration 0002."""
