"""Realistic trial simulation from a protocol and design parameters (core, pure; seeded)."""
