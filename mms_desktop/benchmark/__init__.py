"""Benchmarks that print figures: speed and memory of the engine on this machine."""
