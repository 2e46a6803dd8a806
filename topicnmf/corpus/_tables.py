"""Tables: CSV and TSV (read with pandas, in chunks), JSON lines and JSON arrays.

Each parser yields batches of rows as ``(columns, rows)`` where a row maps a column to its
raw cell; :func:`read_table` turns them into documents with the text, id, label and time
columns the caller picked.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Iterator
from typing import Any

from topicnmf.corpus._bounded import DEFAULT_LIMITS, chunks, limit_error
from topicnmf.corpus._decode import fix_escaped
from topicnmf.corpus._lines import split_lines
from topicnmf.corpus._stream import Docs, ReadState
from topicnmf.corpus._times import TimeParser
from topicnmf.errors import InputError

# Rows parsed at a time when the caller does not chunk.
BATCH_ROWS = 10_000

Batch = tuple[list[str], list[dict[str, Any]]]  # (columns so far, rows)


def read_table(
    stream: io.BufferedReader,
    kind: str,
    state: ReadState,
    *,
    text_column: str,
    id_column: str | None,
    label_column: str | None,
    time_column: str | None,
    batch_rows: int | None,
) -> Iterator[Docs]:
    """The documents of a table; the columns are checked on the first batch of rows.

    With ``batch_rows=None`` the first batch is the whole table (JSON) or 10 000 rows
    (CSV/TSV, whose header names every column).
    """
    source = state.source
    if kind in ("csv", "tsv"):
        batches = _delimited(stream, "," if kind == "csv" else "\t", source, batch_rows)
    else:
        batches = _json(stream, kind, state, batch_rows)
    state.start(None)
    names: tuple[str, str | None, str | None, str | None] | None = None
    row = 0  # rows before this batch
    reading = state.reading
    for columns, records in batches:
        if names is None:
            names = _pick_columns(columns, source, text_column, id_column, label_column, time_column)
            text_name, id_name, label_name, time_name = names
            state.id_column = id_name
            if time_name is not None:
                state.times = TimeParser(f"The time column {time_name!r} of {source!r}")
        if not records:
            continue
        texts, fallback = _column(records, text_name)
        limit = reading.limits.max_document_bytes
        if limit is not None and max(map(len, texts)) > limit:
            position = max(range(len(texts)), key=lambda i: len(texts[i]))
            reading.check_document(
                len(texts[position]), f"The text in row {row + position + 1} of {source!r}"
            )
        if id_name is None:
            ids = [f"row_{row + i}" for i in range(1, len(records) + 1)]
        else:
            ids, escaped = _column(records, id_name)
            fallback = [a or b for a, b in zip(fallback, escaped)]
            if not all(ids):
                position = ids.index("")
                raise InputError(
                    f"The id column {id_name!r} of {source!r} is empty in row "
                    f"{row + position + 1}. Fill in every id or pick another column with id_column."
                )
        labels = times = places = None
        if label_name is not None:
            labels, escaped = _column(records, label_name)
            fallback = [a or b for a, b in zip(fallback, escaped)]
        if time_name is not None:
            times, _ = _column(records, time_name)
            places = [f"row {row + i}" for i in range(1, len(records) + 1)]
        row += len(records)
        reading.add_documents(len(records), source)
        if kind in ("csv", "tsv"):  # the JSON parsers count records as they parse them
            state.advance(len(records))
        yield Docs(ids, texts, fallback, labels, times, places)


def _column(records: list[dict[str, Any]], name: str) -> tuple[list[str], list[bool]]:
    """One column's cells as text, and per cell whether it was decoded by the fallback."""
    cells = [_cell(record.get(name)) for record in records]
    return [text for text, _ in cells], [fixed for _, fixed in cells]


def _pick_columns(
    columns: list[str],
    source: str,
    text_column: str,
    id_column: str | None,
    label_column: str | None,
    time_column: str | None,
) -> tuple[str, str | None, str | None, str | None]:
    def missing(role: str, name: str, parameter: str) -> InputError:
        listed = ", ".join(repr(column) for column in columns) or "none"
        return InputError(
            f"The file {source!r} has no {role} column {name!r}; its columns are {listed}. "
            f"Pick one with {parameter}."
        )

    for role, name in (("text", text_column), ("id", id_column), ("label", label_column),
                       ("time", time_column)):
        if name is not None and name not in columns:
            raise missing(role, name, f"{role}_column")
    id_name = id_column if id_column is not None else ("id" if "id" in columns else None)
    label_name = (
        label_column if label_column is not None else ("label" if "label" in columns else None)
    )
    return text_column, id_name, label_name, time_column


def _cell(value: Any) -> tuple[str, bool]:
    """A cell as text (missing -> '', numbers -> their text, lists/objects -> JSON), and
    whether it held bytes that were not UTF-8 (then decoded by the fallback)."""
    if isinstance(value, str):
        return fix_escaped(value)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "", False
    if isinstance(value, (list, dict)):
        try:
            return fix_escaped(json.dumps(value, ensure_ascii=False))
        except RecursionError:  # pragma: no cover - json.loads refuses such depth first
            return "", False
    return str(value), False


# ----------------------------------------------------------------------------- CSV, TSV


def _delimited(
    stream: io.BufferedReader, sep: str, source: str, batch_rows: int | None
) -> Iterator[Batch]:
    import pandas as pd

    what = "CSV" if sep == "," else "TSV"
    try:
        reader = pd.read_csv(
            stream,
            sep=sep,
            dtype=object,  # str would be pyarrow strings, which refuse escaped bytes
            na_filter=False,
            encoding="utf-8",
            encoding_errors="surrogateescape",
            chunksize=batch_rows or BATCH_ROWS,
        )
        with reader:
            for frame in reader:
                originals = [str(name) for name in frame.columns]
                columns = [fix_escaped(name)[0] for name in originals]
                records = frame.to_dict("records")
                if columns != originals:
                    renamed = dict(zip(originals, columns))
                    records = [{renamed[k]: v for k, v in r.items()} for r in records]
                yield columns, records
    except pd.errors.EmptyDataError:
        raise InputError(
            f"The file {source!r} is empty. Pass a table with a header row and a text column."
        ) from None
    except pd.errors.ParserError as exc:
        detail = " ".join(str(exc).replace("Error tokenizing data. C error: ", "").split())
        raise InputError(
            f"The file {source!r} is not a valid {what} file ({detail}). "
            "Check the quoting and the number of fields on that line."
        ) from None
    except (UnicodeError, ValueError) as exc:
        if isinstance(exc, InputError):
            raise
        detail = " ".join(str(exc).split())[:200]
        raise InputError(
            f"The file {source!r} could not be read as {what} ({detail}). "
            "Check the quoting and the number of fields."
        ) from None


# ----------------------------------------------------------------------------- JSON


def _json_type(value: Any) -> str:
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    return "number"


def _loads(text: str, source: str, where: str, shape: str) -> Any:
    """json.loads with every failure as one line (a JSONDecodeError is left to the caller)."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise
    except RecursionError:
        raise InputError(
            f"The file {source!r} holds JSON nested too deeply to read {where}. "
            f"Flatten it; {shape}."
        ) from None
    except ValueError as exc:  # e.g. an integer of more than 4300 digits
        raise InputError(
            f"The file {source!r} holds a JSON value that cannot be read {where} ({exc}). "
            f"Fix it; {shape}."
        ) from None


_LINE_SHAPE = "each line must be one JSON object"
_FILE_SHAPE = "the file must be one array of objects or one object per line"


def _json(
    stream: io.BufferedReader, kind: str, state: ReadState, batch_rows: int | None
) -> Iterator[Batch]:
    source = state.source
    if kind == "json":  # one document, read whole (bounded by max_bytes), or JSON lines
        data = _read_whole(stream, state)
        records = _json_document(data, source)
        if records is not None:
            state.advance(len(records))
            yield from _batches(iter(records), batch_rows)
            return
        stream = io.BufferedReader(io.BytesIO(data))
    yield from _batches(_json_lines(stream, state), batch_rows)


def _read_whole(stream: io.BufferedReader, state: ReadState) -> bytes:
    """All of a .json file; held whole, so bounded even where max_bytes is off."""
    limits = state.reading.limits
    cap = limits.max_bytes if limits.max_bytes is not None else DEFAULT_LIMITS.max_bytes
    data = stream.read(cap + 1)
    if len(data) > cap:
        raise limit_error(
            f"The .json file {state.source!r}, read whole,", "max_bytes", cap,
            "Write it as JSON lines (.jsonl) to stream it, or",
        )
    return data


def _json_document(data: bytes, source: str) -> list[dict] | None:
    """The records of a .json file that is one JSON document, or None for JSON lines."""
    text = data.decode("utf-8-sig", "surrogateescape")
    try:
        whole = _loads(text, source, "as a whole", _FILE_SHAPE)
    except json.JSONDecodeError as exc:
        if text.lstrip().startswith("["):
            raise InputError(
                f"The file {source!r} holds malformed JSON on line {exc.lineno} "
                f"({exc.msg} at column {exc.colno}). Fix that line; {_FILE_SHAPE}."
            ) from None
        return None  # not one JSON document: read as JSON lines
    records = whole if isinstance(whole, list) else [whole]
    for number, record in enumerate(records, 1):
        if not isinstance(record, dict):
            raise InputError(
                f"The file {source!r} holds a JSON {_json_type(record)} as item "
                f"{number}, not an object. Pass an array of objects such as "
                '[{"text": "..."}] or one object per line.'
            )
    return records


def _json_lines(stream: io.BufferedReader, state: ReadState) -> Iterator[dict]:
    source = state.source
    blocks = split_lines(chunks(stream), state.reading, source, cr=False)
    number = 0
    for block in blocks:
        n_records = 0
        for raw in block:
            number += 1
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            if not raw or raw.isspace():
                continue
            line = raw.decode("utf-8", "surrogateescape")
            try:
                record = _loads(line, source, f"on line {number}", _LINE_SHAPE)
            except json.JSONDecodeError as exc:
                raise InputError(
                    f"The file {source!r} holds malformed JSON on line {number} "
                    f"({exc.msg} at column {exc.colno}). Fix that line; {_LINE_SHAPE}."
                ) from None
            if not isinstance(record, dict):
                raise InputError(
                    f"The file {source!r} holds a JSON {_json_type(record)} on line {number}, "
                    'not an object. Each line must be one JSON object such as {"text": "..."}.'
                )
            n_records += 1
            yield record
        state.advance(n_records)


def _batches(records: Iterator[dict], batch_rows: int | None) -> Iterator[Batch]:
    """Records in batches (one batch when batch_rows is None), with the columns seen so far.

    Keys that held bytes that were not UTF-8 are decoded by the fallback.
    """
    columns: dict[str, None] = {}
    batch: list[dict] = []
    for record in records:
        if not all(key.isascii() for key in record):
            record = {fix_escaped(key)[0]: value for key, value in record.items()}
        for key in record:
            columns.setdefault(key, None)
        batch.append(record)
        if batch_rows is not None and len(batch) == batch_rows:
            yield list(columns), batch
            batch = []
    if batch or not columns:
        yield list(columns), batch
