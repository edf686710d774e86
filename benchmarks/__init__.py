"""Benchmarks that print numbers (not tests): speed of search and index builds, load on the service."""
