"""Tests of the lighting package, without Home Assistant."""
