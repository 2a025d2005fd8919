"""End-to-end tests: a real Home Assistant process with the demo tank, used only as an outside client would."""
