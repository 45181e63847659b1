"""Test helpers shared by every app's tests (not collected by pytest: no test_ files here)."""
