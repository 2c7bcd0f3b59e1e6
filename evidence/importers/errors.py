"""The one error an import raises: the whole file is refused and nothing is written."""


class ImportRefused(Exception):
    """The whole file is refused: nothing was written. `field` names the bad input."""

    def __init__(self, message, *, field="file", status=400, report=None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status
        self.report = report
