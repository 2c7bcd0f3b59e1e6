"""Screening and appraisal as a team: decisions, conflicts, agreement, appraisal and the flow.

`services` holds the writes (a decision, a resolution, an appraisal, the
protocol), `queue` the reads that decide what each reviewer sees next and
where reviewers disagree, `agreement` Cohen's kappa, `flow` the PRISMA-style
counts; `api`, `views`, `urls` and `forms` are its surfaces.
"""
