"""Retention: finding, and when confirmed removing, personal data of ended budgets past its retention period."""
