"""Validated records as plain rows and back, without validating them again.

A built pack (graph/packs/artifact.py) stores each record as a row of its field values in
declaration order, after a bit mask of the fields that were set. Reading a row back builds
the pydantic model as `model_construct` does, minus its per-field default lookups: the values
were validated when the pack was built, and validating 160,000 edges again cost seconds of the
HPO pack's start. Records nested in others (evidence, codes) are frozen, so equal ones are
stored once in a table and shared when read: the HPO pack's 173,000 pieces of edge evidence
are 35,000 distinct ones. Each model's plan (which fields hold enums, dates, nested records or
lists of them) is read once from its annotations.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sys
import types
from collections.abc import Callable, Mapping
from enum import Enum
from typing import Annotated, Any, Union, get_args, get_origin

import orjson
from pydantic import BaseModel

__all__ = ["RecordCodec", "RecordReader", "RecordWriter"]

Convert = Callable[[Any], Any]
_set_attribute = object.__setattr__


def _strip(annotation: Any) -> Any:
    """The type under `Annotated[...]` and `X | None`."""
    while True:
        if get_origin(annotation) is Annotated:
            annotation = get_args(annotation)[0]
            continue
        if get_origin(annotation) in (Union, types.UnionType):
            members = [a for a in get_args(annotation) if a is not type(None)]
            if len(members) == 1:
                annotation = members[0]
                continue
        return annotation


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


# A field's form: ("plain",), ("shared",), ("enum", E), ("date",), ("model", M),
# ("union", (M, ...)), ("list", form of an item).
Form = tuple[Any, ...]


class RecordCodec:
    """The forms of the record models reachable from those it is given. String fields named
    in `shared` (ids) are read back as one object per distinct value, as validation leaves
    them (a node's id is shared by the thousands of edges that name it)."""

    def __init__(
        self, models: tuple[type[BaseModel], ...], shared: frozenset[str] = frozenset()
    ) -> None:
        self._shared = shared
        self.fields: dict[type[BaseModel], tuple[tuple[str, Form], ...]] = {}
        # Nested models come before the models holding them: tables are read in this order.
        self.order: list[type[BaseModel]] = []
        for model in models:
            self._plan(model)

    def _plan(self, model: type[BaseModel]) -> None:
        if model in self.fields:
            return
        self.fields[model] = ()  # a model that holds itself would stop here
        forms = [(n, self._form(_strip(i.annotation))) for n, i in model.model_fields.items()]
        self.fields[model] = tuple(
            (name, ("shared",) if form == ("plain",) and name in self._shared else form)
            for name, form in forms
        )
        self.order.append(model)

    def _form(self, annotation: Any) -> Form:
        if isinstance(annotation, type) and issubclass(annotation, Enum):
            return ("enum", annotation)
        if annotation is dt.date:
            return ("date",)
        if _is_model(annotation):
            self._plan(annotation)
            return ("model", annotation)
        if get_origin(annotation) in (Union, types.UnionType):
            members = tuple(_strip(a) for a in get_args(annotation))
            if not all(_is_model(m) for m in members):
                raise TypeError(f"no row form for a union of {members!r}")
            for member in members:
                self._plan(member)
            return ("union", members)
        if get_origin(annotation) is list:
            return ("list", self._form(_strip(get_args(annotation)[0])))
        if annotation in (str, int, float, bool):
            return ("plain",)
        raise TypeError(f"no row form for a field of type {annotation!r}")

    def schema(self) -> str:
        """A hash of every row's layout: each model's field names and forms, enums with their
        values. Rows are read by position, so a file whose records were laid out otherwise
        (a field added, removed or moved since it was built) must be refused, not misread."""
        return hashlib.sha256(
            repr(
                [(m.__name__, [(n, _spelled(f)) for n, f in self.fields[m]]) for m in self.order]
            ).encode()
        ).hexdigest()[:16]


def _spelled(form: Form) -> Any:
    """A form as plain text: model and enum classes by name, enums with their values."""
    kind = form[0]
    if kind == "enum":
        return (kind, form[1].__name__, [member.value for member in form[1]])
    if kind == "model":
        return (kind, form[1].__name__)
    if kind == "union":
        return (kind, [member.__name__ for member in form[1]])
    if kind == "list":
        return (kind, _spelled(form[1]))
    return form


class RecordWriter:
    """Turns records into rows, collecting the nested records into shared tables."""

    def __init__(self, codec: RecordCodec) -> None:
        self._codec = codec
        self._tables: dict[type[BaseModel], list[list[Any]]] = {m: [] for m in codec.order}
        self._index: dict[type[BaseModel], dict[bytes, int]] = {m: {} for m in codec.order}

    def row(self, record: BaseModel) -> list[Any]:
        fields = self._codec.fields[type(record)]
        given = record.model_fields_set
        row: list[Any] = [sum(1 << i for i, (name, _) in enumerate(fields) if name in given)]
        for name, form in fields:
            value = getattr(record, name)
            row.append(None if value is None else self._value(form, value))
        return row

    def tables(self) -> dict[str, list[list[Any]]]:
        """The rows of every nested model that occurred, by model name."""
        return {model.__name__: rows for model, rows in self._tables.items() if rows}

    def _value(self, form: Form, value: Any) -> Any:
        kind = form[0]
        if kind == "enum":
            return value.value
        if kind == "date":
            return value.isoformat()
        if kind == "model":
            return self._interned(value)
        if kind == "union":
            return [form[1].index(type(value)), self._interned(value)]
        if kind == "list":
            return [self._value(form[1], item) for item in value]
        return value

    def _interned(self, record: BaseModel) -> int:
        row = self.row(record)
        key = orjson.dumps(row)
        index = self._index[type(record)]
        if key not in index:
            index[key] = len(index)
            self._tables[type(record)].append(row)
        return index[key]


class _Table:
    """A nested model's rows, each turned into a record when first read and then shared (a
    built pack's edges are decoded on demand, and so is the evidence only they hold)."""

    __slots__ = ("_decode", "_records", "_rows")

    def __init__(self, rows: list[list[Any]], decode: Convert) -> None:
        self._rows = rows
        self._decode = decode
        self._records: list[Any] = [None] * len(rows)

    def __getitem__(self, index: int) -> Any:
        record = self._records[index]
        if record is None:  # two threads may both decode it: equal records, either is kept
            record = self._records[index] = self._decode(self._rows[index])
        return record


class RecordReader:
    """Turns rows back into records; nested records are read from their tables on demand."""

    def __init__(self, codec: RecordCodec, tables: Mapping[str, list[list[Any]]]) -> None:
        self._codec = codec
        self._read: dict[type[BaseModel], _Table] = {}
        self._decoders: dict[type[BaseModel], Convert] = {}
        for model in codec.order:
            self._read[model] = _Table(list(tables.get(model.__name__, ())), self.decoder(model))

    def decoder(self, model: type[BaseModel]) -> Convert:
        """The function that turns one of `model`'s rows into a record."""
        if model in self._decoders:
            return self._decoders[model]
        fields = self._codec.fields[model]
        names = tuple(name for name, _ in fields)
        converters = [
            (i, convert)
            for i, (_, form) in enumerate(fields)
            if (convert := self._converter(form)) is not None
        ]
        sets: dict[int, set[str]] = {}

        def fields_set(mask: int) -> set[str]:
            # Shared between records: pydantic copies it before changing a copy's.
            found = sets.get(mask)
            if found is None:
                found = sets[mask] = {n for i, n in enumerate(names) if mask >> i & 1}
            return found

        def decode(row: list[Any]) -> BaseModel:
            values = row[1:]
            for index, convert in converters:
                if values[index] is not None:
                    values[index] = convert(values[index])
            record = model.__new__(model)
            _set_attribute(record, "__dict__", dict(zip(names, values, strict=True)))
            _set_attribute(record, "__pydantic_fields_set__", fields_set(row[0]))
            _set_attribute(record, "__pydantic_extra__", None)
            _set_attribute(record, "__pydantic_private__", None)
            return record

        self._decoders[model] = decode
        return decode

    def _converter(self, form: Form) -> Convert | None:
        """How a stored value of this form is read back; None when it is stored as it is."""
        kind = form[0]
        if kind == "enum":
            return {member.value: member for member in form[1]}.__getitem__
        if kind == "date":
            return dt.date.fromisoformat
        if kind == "shared":
            return sys.intern
        if kind == "model":
            return self._read[form[1]].__getitem__
        if kind == "union":
            tables = [self._read[member] for member in form[1]]
            return lambda pair: tables[pair[0]][pair[1]]
        if kind == "list":
            item = self._converter(form[1])
            return None if item is None else lambda values: list(map(item, values))
        return None
