"""Planning on the walking network: graph, accessibility, diagnosis and siting (no Django)."""
