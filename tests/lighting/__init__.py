"""Tests for the lighting behavior engine."""
