"""REFI-QDA out: a review as a .qdpx project or a .qdc codebook (`export`).

The tests validate every file against the published QDA-XML 1.0 schemas, kept
under the steering repository's shared/refi-qda/ (tests/shared_files.py).
"""
