"""Lighting behavior engine: what level each channel shows at a given moment, with no Home Assistant imports."""
