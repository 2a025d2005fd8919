"""The config flow's rooms: the controller's fields, one module per subentry kind, and the safety-rule editor."""
