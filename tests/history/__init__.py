"""Tests of the readings history package: both stores, the spool and the buffered writer."""
