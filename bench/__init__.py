"""The benchmark (`make bench`) and the synthetic reviews it measures.

An installed app only so that `manage.py generate_synthetic_review` exists;
nothing outside bench/ and the tests imports it.
"""
