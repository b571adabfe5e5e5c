"""The extract tables computed on a Dask cluster, written as Parquet datasets.

:func:`run_dask` expands the inputs on the client with
:func:`~summaryscan.ingest.keyed_inputs` (the same files, in the same order and with the
same document keys, as ``summaryscan extract``), cuts the list into partitions of ``partition_size``
documents and submits one task per partition. A task analyses its documents
with :func:`~summaryscan.runner.process` (the batch driver's unit of work), turns each analysis into rows
with the CSV row builders (:func:`~summaryscan.report.tables.document_row`,
``section_rows``, ``claim_rows``) and writes three Parquet files::

    OUT/documents/part-00000.parquet   OUT/sections/part-00000.parquet   OUT/claims/part-00000.parquet
    OUT/documents/part-00001.parquet   ...

File names carry the partition index, so reading the parts in name order gives
the rows in input order, whatever order the tasks finished in. Every part has
the table's explicit schema (:data:`SCHEMAS`, the CSV columns in CSV order),
also when it has no rows.

Every input gets a document row. ``analyze_path`` never raises for a bad file
(its status says why); on top of that a document whose analysis or row
building raises becomes an ``error`` row, and a partition task that fails as a
whole (a worker killed by the nanny's memory limit, a lost worker) is redone
one document per task, so one bad document costs only itself.

Requirements for a remote cluster (``scheduler="tcp://host:8786"``): the workers
have summaryscan installed (same version) and see the input files and ``out_dir``
at the same paths as the client (a shared file system). Relative input paths are
resolved against the client's working directory; the ``path`` column keeps them
as given, as the CSV does. The local runner's per-document time and memory
limits (``--timeout``, ``--max-memory``) have no equivalent here; Dask's nanny
restarts a worker that exceeds its memory limit.
"""
from __future__ import annotations

import logging
import os
import sys
import time
import uuid
from typing import Any, Iterable, Optional

import distributed  # noqa: F401  (imported here so that a missing install fails at import, clearly)
import pyarrow as pa
import pyarrow.parquet as pq

from ..ingest import InputPath, keyed_inputs
from ..records import Analysis
from ..runner import TASK_DOCS, failed, process, process_many
from ..report.tables import CLAIM_COLUMNS, DOCUMENT_COLUMNS, SECTION_COLUMNS, claim_rows, document_row, section_rows

TABLES = ("documents", "sections", "claims")
COLUMNS = {"documents": DOCUMENT_COLUMNS, "sections": SECTION_COLUMNS, "claims": CLAIM_COLUMNS}

# Arrow type of every column; a column added to the CSV lists without a type here is a string.
_TYPES = {
    "documents": {"year": pa.int64(), "chars": pa.int64(), "pages": pa.int64()},
    "sections": {"start": pa.int64(), "end": pa.int64()},
    "claims": {"value": pa.float64(), "start": pa.int64(), "end": pa.int64(), "page": pa.int64()},
}


def _schema(name: str) -> pa.Schema:
    types = _TYPES[name]
    return pa.schema([pa.field(c, types.get(c, pa.string()), nullable=True) for c in COLUMNS[name]])


#: Parquet schema of each table: the CSV columns, in CSV order, all nullable.
SCHEMAS: dict[str, pa.Schema] = {name: _schema(name) for name in TABLES}

_PART = "part-{:05d}.parquet"


# ------------------------------------------------------------------ worker side


def _where(path: str, cwd: Optional[str]) -> str:
    """A relative path read against the client's working directory (its document key kept)."""
    where = path if cwd is None or os.path.isabs(path) else os.path.join(cwd, path)
    if where is not path and getattr(path, "doc", None):
        where = InputPath(where, path.doc)
    return where


def _as_given(a: Analysis, path: str, where: str) -> Analysis:
    """Keep the path as the user gave it, as the CSV does."""
    if where != path:
        a.raw.path = path
        a.raw.message = a.raw.message.replace(where, path)
    return a


def _analyze(path: str, cwd: Optional[str]) -> Analysis:
    """The batch driver's unit of work (:func:`summaryscan.runner.process`: failures become
    its ``error`` rows), reading a relative path against the client's working directory."""
    where = _where(path, cwd)
    return _as_given(process(where), path, where)


def _rows_of(a: Analysis, path: str) -> tuple[dict, list[dict], list[dict]]:
    """The rows of one analysed document; never raises."""
    try:
        return document_row(a), section_rows(a), claim_rows(a)
    except Exception as exc:   # a bug in row building (or MemoryError) must not sink the partition
        a = failed(path, f"分析时出错（{type(exc).__name__}: {exc}）")
        return document_row(a), [], []


def _rows_for(path: str, cwd: Optional[str]) -> tuple[dict, list[dict], list[dict]]:
    """The rows of one document; never raises."""
    try:
        a = _analyze(path, cwd)
    except Exception as exc:   # a bug (or MemoryError) must not sink the partition
        a = failed(path, f"分析时出错（{type(exc).__name__}: {exc}）")
    return _rows_of(a, path)


def _rows_of_many(paths: list[str], cwd: Optional[str]) -> Iterable[tuple[dict, list[dict], list[dict]]]:
    """The rows of each document, analysed :data:`~summaryscan.runner.TASK_DOCS` at a time as
    the local workers do (:func:`summaryscan.runner.process_many`); never raises."""
    for k in range(0, len(paths), TASK_DOCS):
        given = paths[k:k + TASK_DOCS]
        wheres = [_where(p, cwd) for p in given]
        try:
            analyses = process_many(wheres)
        except Exception:     # noqa: BLE001 - a bug (or MemoryError): each document on its own
            yield from (_rows_for(p, cwd) for p in given)
            continue
        for p, w, a in zip(given, wheres, analyses):
            yield _rows_of(_as_given(a, p, w), p)


def _coerce(value: Any, typ: pa.DataType) -> Any:
    if value is None:
        return None
    if pa.types.is_integer(typ):
        return int(value)
    if pa.types.is_floating(typ):
        return float(value)
    if pa.types.is_boolean(typ):
        return bool(value)
    return value if isinstance(value, str) else str(value)


def _table(name: str, rows: Iterable[dict]) -> pa.Table:
    schema = SCHEMAS[name]
    cols: dict[str, list] = {f.name: [] for f in schema}
    for row in rows:
        for f in schema:
            cols[f.name].append(_coerce(row.get(f.name), f.type))
    return pa.Table.from_pydict(cols, schema=schema)


def _write_part(out_dir: str, index: int, docs: list[dict], sections: list[dict], claims: list[dict]) -> dict:
    """Write one partition of each table atomically; returns row counts."""
    counts = {}
    for name, rows in (("documents", docs), ("sections", sections), ("claims", claims)):
        folder = os.path.join(out_dir, name)
        os.makedirs(folder, exist_ok=True)
        target = os.path.join(folder, _PART.format(index))
        tmp = os.path.join(folder, f".tmp-{os.getpid()}-{index:05d}.parquet")
        table = _table(name, rows)
        pq.write_table(table, tmp)
        os.replace(tmp, target)
        counts[name] = table.num_rows
    return counts


def _status_counts(docs: list[dict]) -> dict:
    out: dict[str, int] = {}
    for d in docs:
        out[d["status"]] = out.get(d["status"], 0) + 1
    return out


def process_partition(index: int, paths: list[str], out_dir: str, cwd: Optional[str] = None) -> dict:
    """Analyse ``paths`` and write partition ``index`` of the three tables (runs on a worker)."""
    t0 = time.perf_counter()
    docs, sections, claims = [], [], []
    for d, s, c in _rows_of_many(paths, cwd):
        docs.append(d)
        sections.extend(s)
        claims.extend(c)
    counts = _write_part(out_dir, index, docs, sections, claims)
    return {"index": index, **counts, "status": _status_counts(docs), "seconds": time.perf_counter() - t0}


def rows_for_document(path: str, cwd: Optional[str] = None) -> tuple[dict, list[dict], list[dict]]:
    """One document's rows, for redoing a failed partition one document per task (runs on a worker)."""
    return _rows_for(path, cwd)


# ------------------------------------------------------------------ client side


def _clear_parts(out_dir: str) -> None:
    """Remove the part files of an earlier run, so the dataset holds this run's parts only."""
    for name in TABLES:
        folder = os.path.join(out_dir, name)
        if not os.path.isdir(folder):
            continue
        for f in os.listdir(folder):
            if (f.startswith("part-") or f.startswith(".tmp-")) and f.endswith(".parquet"):
                os.unlink(os.path.join(folder, f))


def _client(scheduler: Optional[str], n_workers: int):
    from distributed import Client, LocalCluster
    if scheduler in (None, "", "local"):
        cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=logging.ERROR)
        return Client(cluster), cluster
    if scheduler.endswith(".json") and os.path.isfile(scheduler):    # dask scheduler file
        return Client(scheduler_file=scheduler), None
    return Client(scheduler), None


def _redo_one_by_one(client, index: int, paths: list[str], out_dir: str, cwd: str, error: BaseException) -> dict:
    """A partition task failed as a whole: one task per document, then write the part here."""
    futures = client.map(rows_for_document, paths, cwd=cwd, pure=False, retries=0)
    docs, sections, claims = [], [], []
    for p, fut in zip(paths, futures):
        try:
            d, s, c = fut.result()
        except Exception as exc:
            a = failed(p, f"分布式处理时出错，已跳过（{type(exc).__name__}: {exc}）")
            d, s, c = document_row(a), [], []
        docs.append(d)
        sections.extend(s)
        claims.extend(c)
    counts = _write_part(out_dir, index, docs, sections, claims)
    return {"index": index, **counts, "status": _status_counts(docs), "redone": True,
            "partition_error": f"{type(error).__name__}: {error}"}


def run_dask(paths: Iterable[str], out_dir: str, scheduler: Optional[str] = None, partition_size: int = 50,
             progress: bool = True, *, n_workers: int = 2, client: Any = None) -> dict:
    """Run the extract pipeline on a Dask cluster; write ``out_dir/{documents,sections,claims}/part-NNNNN.parquet``.

    ``scheduler``: a scheduler address (``tcp://host:8786``) or scheduler file (``*.json``),
    or None / ``"local"`` for a
    ``LocalCluster(n_workers=2, threads_per_worker=1, processes=True)`` started and
    stopped here. ``client``: an existing ``distributed.Client`` to use instead.
    ``partition_size``: documents per task and per part file.

    Returns counts: ``{"documents", "sections", "claims", "partitions", "status":
    {status: n}, "failed_partitions", "scheduler", "out_dir", "seconds"}``.
    """
    if partition_size < 1:
        raise ValueError("partition_size must be at least 1")
    t0 = time.perf_counter()
    files = keyed_inputs(paths)
    out_dir = os.path.abspath(out_dir)
    os.makedirs(out_dir, exist_ok=True)
    _clear_parts(out_dir)
    parts = [files[i:i + partition_size] for i in range(0, len(files), partition_size)]
    result = {"documents": 0, "sections": 0, "claims": 0, "partitions": max(1, len(parts)), "status": {},
              "failed_partitions": 0, "out_dir": out_dir, "scheduler": None}
    if not parts:                     # no input: one empty part per table, so the schema is there
        _write_part(out_dir, 0, [], [], [])
        result["seconds"] = time.perf_counter() - t0
        return result

    cluster = None
    own_client = client is None
    if own_client:
        client, cluster = _client(scheduler, n_workers)
    result["scheduler"] = getattr(client, "scheduler", None) and client.scheduler.address
    cwd = os.getcwd()
    run_id = uuid.uuid4().hex[:8]
    bar = None
    try:
        from distributed import as_completed
        futures = [client.submit(process_partition, k, part, out_dir, cwd, pure=False, retries=1,
                                 key=f"summaryscan-part-{k:05d}-{run_id}")
                   for k, part in enumerate(parts)]
        index_of = {f.key: k for k, f in enumerate(futures)}
        if progress:
            from tqdm import tqdm
            bar = tqdm(total=len(files), desc="Dask 抽取", unit="份", file=sys.stderr, dynamic_ncols=True,
                       leave=False)
        for fut in as_completed(futures):
            k = index_of[fut.key]
            try:
                r = fut.result()
            except Exception as exc:          # the task as a whole failed: redo document by document
                result["failed_partitions"] += 1
                r = _redo_one_by_one(client, k, parts[k], out_dir, cwd, exc)
            for name in TABLES:
                result[name] += r[name]
            for st, n in r["status"].items():
                result["status"][st] = result["status"].get(st, 0) + n
            if bar is not None:
                bar.update(len(parts[k]))
            fut.release()
    finally:
        if bar is not None:
            bar.close()
        if own_client:
            client.close()
            if cluster is not None:
                cluster.close()
    missing = [os.path.join(out_dir, name, _PART.format(k)) for k in range(len(parts)) for name in TABLES
               if not os.path.exists(os.path.join(out_dir, name, _PART.format(k)))]
    if missing:
        raise RuntimeError(f"{len(missing)} 个 Parquet 分片不在 {out_dir}（例如 {missing[0]}）："
                           "Dask 工作进程与本机必须能在同一路径访问输入文件和输出文件夹（共享文件系统）")
    result["seconds"] = time.perf_counter() - t0
    return result


def read_parquet_tables(out_dir: str) -> dict:
    """The three tables written by :func:`run_dask` as pandas DataFrames, rows in input order.

    Same columns and dtypes as the DataFrames of the Python API (``summaryscan.read(...)``):
    ``Int64`` for integers (``year``, ``pages``, ``page`` may be ``<NA>``), ``float64`` for
    ``value``, ``category`` for the short codes (status, format, level, unit, kind ...),
    ``object`` strings otherwise (``None`` where missing). Keys: ``documents``,
    ``sections``, ``claims``. A table without part files is an empty frame with those
    columns.
    """
    import pandas as pd

    from ..api import CLAIM_DTYPES, DOCUMENT_DTYPES, SECTION_DTYPES
    dtypes = {"documents": DOCUMENT_DTYPES, "sections": SECTION_DTYPES, "claims": CLAIM_DTYPES}
    mapper = {pa.int64(): pd.Int64Dtype()}.get
    out = {}
    for name in TABLES:
        folder = os.path.join(out_dir, name)
        files = sorted(f for f in os.listdir(folder) if f.startswith("part-") and f.endswith(".parquet")) \
            if os.path.isdir(folder) else []
        tables = [pq.read_table(os.path.join(folder, f), schema=SCHEMAS[name]) for f in files]
        table = pa.concat_tables(tables) if tables else SCHEMAS[name].empty_table()
        df = table.to_pandas(types_mapper=mapper)
        for col, dtype in dtypes[name].items():
            if col in df:
                df[col] = df[col].astype(dtype)
        out[name] = df
    return out


__all__ = ["run_dask", "read_parquet_tables", "process_partition", "rows_for_document", "SCHEMAS", "TABLES"]
