"""Data out: the spending download and "download all my data" (a ZIP made by the worker)."""
