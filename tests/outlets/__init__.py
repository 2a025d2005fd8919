"""Tests of the outlet drivers: the real vendor libraries against fake devices served on 127.0.0.1."""
