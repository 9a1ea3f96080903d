"""Domain errors raised by services. Interfaces (API, commands, tasks) translate them."""


class CostgovError(Exception):
    """Base class. ``message`` is shown to the user as is."""

    status_code = 400

    def __init__(self, message: str, *, details: dict | list | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class ValidationFailed(CostgovError):
    """Input is well-formed but violates a business rule."""


class NotFound(CostgovError):
    status_code = 404


class PermissionDenied(CostgovError):
    status_code = 403


class Conflict(CostgovError):
    """The request conflicts with stored state (closed period, duplicate name...)."""

    status_code = 409


class SourceUnavailable(CostgovError):
    """An external source (S3, BigQuery, pricing API) could not be reached; retrying may help."""

    status_code = 503


class InputFileError(CostgovError):
    """A file could not be read; the message names the file, the row(s) and the column."""

    def __init__(
        self, message: str, *, file: str, row: int | None = None, column: str | None = None
    ) -> None:
        where = file
        if row is not None:
            where += f", row {row}"
        if column is not None:
            where += f", column {column!r}"
        super().__init__(
            f"{where}: {message}", details={"file": file, "row": row, "column": column}
        )
        self.file, self.row, self.column = file, row, column
