"""Contexts, mechanisms, outcomes, CMOCs, evidence links and lineage.

`services` holds the operations that make lineage (refine, merge, split,
drop), each one transaction; `slots` names the four element slots once.
Its models depend on ichub, evidence and programme_theories.
"""
