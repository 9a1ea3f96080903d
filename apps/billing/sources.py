"""Where billing files come from. ``resolve_files(location)`` yields local paths to import.

Pluggable by URL scheme: a plain path (a file, or a folder read in name order) is used in
place; ``s3://bucket/prefix`` downloads the latest CUR manifest's files of each billing period
into a temporary folder (see ``apps.billing.s3``). Add a scheme by registering a resolver.

Table schemes are not files: ``bq://project.dataset.table?month=YYYYMM`` (``apps.billing.bigquery``)
is streamed by the import service itself (``billing_import_table``); ``is_table_location`` tells
callers which path to take.
"""

import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from apps.common.errors import InputFileError

SKIPPED_SUFFIXES = (".json", ".md", ".txt", ".yml", ".yaml")

TABLE_SCHEMES = frozenset({"bq"})

Resolver = Callable[[str], AbstractContextManager[list[Path]]]
RESOLVERS: dict[str, Resolver] = {}


def register(scheme: str) -> Callable[[Resolver], Resolver]:
    def decorate(resolver: Resolver) -> Resolver:
        RESOLVERS[scheme] = resolver
        return resolver

    return decorate


@contextmanager
def local_files(location: str) -> Iterator[list[Path]]:
    path = Path(location.removeprefix("file://"))
    if path.is_dir():
        files = sorted(
            child
            for child in path.iterdir()
            if child.is_file()
            and not child.name.startswith(".")
            and not child.name.endswith(SKIPPED_SUFFIXES)
        )
    elif path.is_file():
        files = [path]
    else:
        raise InputFileError("no such file or folder", file=location)
    if not files:
        raise InputFileError("folder holds no billing files", file=location)
    yield files


def display_names(paths: list[Path]) -> list[str]:
    """Short unique names for messages and checksums: file names, or paths below the common
    folder when files from several folders are imported together (S3 periods)."""
    if len({path.name for path in paths}) == len(paths):
        return [path.name for path in paths]
    common = Path(os.path.commonpath([str(path.parent) for path in paths]))
    return [str(path.relative_to(common)) for path in paths]


def is_table_location(location: str) -> bool:
    return "://" in location and location.split("://", 1)[0] in TABLE_SCHEMES


def resolve_files(location: str) -> AbstractContextManager[list[Path]]:
    scheme = location.split("://", 1)[0] if "://" in location else "file"
    if scheme == "file":
        return local_files(location)
    if scheme == "s3" and scheme not in RESOLVERS:
        # Resolvers register on import; S3 needs boto3, imported only when used.
        import apps.billing.s3  # noqa: F401 - registers the s3 resolver
    resolver = RESOLVERS.get(scheme)
    if scheme in TABLE_SCHEMES:
        raise InputFileError("a table location names no files; import it as a table", file=location)
    if resolver is None:
        raise InputFileError(f"unsupported location scheme {scheme!r}", file=location)
    return resolver(location)
