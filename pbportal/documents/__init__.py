"""Documents on a budget: support plans, PA check evidence, insurance, and files attached to reviews and returns."""
