"""Background-job plumbing: long work off the request path, with progress people can watch.

Write a job task in your app's `tasks.py` and start it from a service:

    from ichub.jobs import job_task, JobFailed

    @job_task("fulltexts.extract")
    def extract(job):                       # job: runner.JobRun
        job.set_total(n)
        with job.atomic():                  # one transaction; progress still visible
            for ...:
                job.advance(1)              # stops here if cancelled
        return {"result": {...}, "result_url": "/where/to/look"}

    from ichub.jobs.services import start_job
    job = start_job(task=extract, owner=user, review=review, params={...})

README "Background tasks" says how workers run them.
"""

__all__ = ["JobCancelled", "JobFailed", "JobRun", "job_task"]


def __getattr__(name):
    # Django imports this package to find its app config before models are ready,
    # so the runner (which imports the Job model) is only loaded when asked for.
    if name in __all__:
        from ichub.jobs import runner

        return getattr(runner, name)
    raise AttributeError(name)
