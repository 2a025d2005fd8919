"""Property tests: generated input, hostile and plausible, for every door into the integration."""
