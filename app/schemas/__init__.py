"""API schemas: the public contract, separate from the graph's internal records."""
