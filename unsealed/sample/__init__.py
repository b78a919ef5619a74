"""A small fictional release, generated deterministically, for trying Unsealed and for its tests."""
