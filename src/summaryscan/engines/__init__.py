"""Execution engines beyond the local worker pool of :mod:`summaryscan.runner`.

``dask``: :func:`run_dask` runs the per-document pipeline on a Dask cluster
(a local one by default, or ``scheduler="tcp://host:8786"``) and writes the
extract tables as Parquet datasets; :func:`read_parquet_tables` reads them back
as pandas DataFrames. Needs the optional dependencies ``dask[distributed]`` and
``pyarrow`` (``pip install 'summaryscan[dask]'``); importing this package does
not import them.
"""
from __future__ import annotations

from typing import Any

__all__ = ["run_dask", "read_parquet_tables", "EngineUnavailable", "dask_available"]

_DASK_HINT = "需要安装可选依赖：pip install 'summaryscan[dask]'（dask[distributed] 与 pyarrow）"


class EngineUnavailable(ImportError):
    """The engine's optional dependencies are not installed."""


def dask_available() -> bool:
    try:
        import dask  # noqa: F401
        import distributed  # noqa: F401
        import pyarrow  # noqa: F401
    except ImportError:
        return False
    return True


def _dask_engine():
    try:
        from . import dask_engine
    except ImportError as exc:
        raise EngineUnavailable(f"Dask 引擎不可用（{exc}）。{_DASK_HINT}") from exc
    return dask_engine


def run_dask(*args: Any, **kwargs: Any) -> dict:
    """See :func:`summaryscan.engines.dask_engine.run_dask`."""
    return _dask_engine().run_dask(*args, **kwargs)


def read_parquet_tables(*args: Any, **kwargs: Any) -> dict:
    """See :func:`summaryscan.engines.dask_engine.read_parquet_tables`."""
    return _dask_engine().read_parquet_tables(*args, **kwargs)
