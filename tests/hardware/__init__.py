"""Tests for the hardware drivers, run against simulated chips through the real driver libraries."""
