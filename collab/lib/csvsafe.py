"""CSV downloads: streamed row by row (a large list never sits in memory) with spreadsheet-safe cells — a cell a
spreadsheet would read as a formula gets a leading apostrophe."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.http import StreamingHttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in FORMULA_STARTS else text


class _Echo:
    """A file-like object whose ``write`` hands the line back, so ``csv.writer`` can feed a generator."""

    def write(self, value: str) -> str:
        return value


def csv_download(filename: str, header: Sequence[str], rows: Iterable[Iterable[Any]]) -> StreamingHttpResponse:
    """A streamed CSV attachment: the header, then every row with each cell made safe."""
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([safe_cell(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
