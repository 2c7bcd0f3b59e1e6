"""Organising frameworks, their themes, and programme theories with their versions.

Its models depend on ichub only; its theory pages and API nest CMOCs, so
those surfaces read cmocs' models.
"""
