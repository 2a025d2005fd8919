"""Tests for Bella's Reef."""
