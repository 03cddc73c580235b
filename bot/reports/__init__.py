"""Reports for staff built from what the channels observed (no engine changes needed)."""
