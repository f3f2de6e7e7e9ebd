"""The statutory and help pages: accessibility statement, privacy notice, cookies, help and contact."""
