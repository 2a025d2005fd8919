"""The controller's coordinators, one module each: lighting tick, probe poll, outlet poll and tick."""
