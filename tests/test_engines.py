"""Engines give the same tables: --jobs 1 = --jobs 2 (CSV), and Dask (Parquet) = the local run.

How Parquet is compared with CSV (one canonical form, the CSV's): the CSV files are
read with ``dtype=str, keep_default_na=False``, so every cell is exactly the string
in the file and an empty cell is ``""``. Each Parquet cell is turned into the string
the CSV writer (``report.tables.TableWriter``) writes for the same value:

* missing (``None``/``<NA>``/NaN) -> ``""``;
* integers (``Int64``: year, chars, pages, start, end, page) -> ``str(int)``, e.g. ``"2024"``;
* floats (``value``) -> ``repr(float)``, which is what ``csv`` writes (``"12.0"``);
* text (including categories) -> ``safe_cell(text)``: the CSV writer prefixes an
  apostrophe to a cell starting with ``= + - @``, tab or CR (formula neutralisation
  for Excel/WPS); Parquet keeps the value as is.

Then both frames are object-dtype string frames with the same columns and row order
and are compared with ``pandas.testing.assert_frame_equal``.
"""
import os

import pandas as pd
import pytest

from summaryscan.cli import main as cli_main
from summaryscan.engines import dask_available
from summaryscan.report.tables import CLAIM_COLUMNS, DOCUMENT_COLUMNS, SECTION_COLUMNS, safe_cell

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "corpus")
TABLES = {"documents": DOCUMENT_COLUMNS, "sections": SECTION_COLUMNS, "claims": CLAIM_COLUMNS}

needs_dask = pytest.mark.skipif(
    not dask_available(),
    reason="the Dask engine needs dask[distributed] and pyarrow (pip install 'summaryscan[dask]')")


def extract(out, jobs: int, paths=(CORPUS,)) -> str:
    assert cli_main(["extract", *paths, "--out", str(out), "--jobs", str(jobs), "--quiet", "--no-cache"]) == 0
    return str(out)


def read_csv_tables(folder: str) -> dict[str, pd.DataFrame]:
    return {name: pd.read_csv(os.path.join(folder, f"{name}.csv"), dtype=str, keep_default_na=False,
                              encoding="utf-8-sig").astype(object)
            for name in TABLES}


def _csv_cell(v) -> str:
    if v is None or v is pd.NA or (isinstance(v, float) and v != v):
        return ""
    if isinstance(v, str):
        return safe_cell(v)
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, int) or hasattr(v, "__index__"):        # int, numpy integer
        return str(int(v))
    if isinstance(v, float):
        return repr(float(v))
    return str(v)


def as_csv_strings(df: pd.DataFrame) -> pd.DataFrame:
    """A DataFrame as the CSV writer would spell it: the canonical form of the module docstring."""
    return pd.DataFrame({c: [_csv_cell(v) for v in df[c].astype(object)] for c in df.columns},
                        columns=list(df.columns), dtype=object)


def assert_same_tables(csv_tables: dict, other: dict) -> None:
    for name, columns in TABLES.items():
        left = csv_tables[name]
        right = as_csv_strings(other[name])
        assert list(left.columns) == columns and list(right.columns) == columns, name
        pd.testing.assert_frame_equal(left.reset_index(drop=True), right.reset_index(drop=True),
                                      check_dtype=True, obj=name)


@pytest.fixture(scope="module")
def local_run(tmp_path_factory):
    """``summaryscan extract corpus --jobs 1``: the reference tables."""
    return extract(tmp_path_factory.mktemp("jobs1"), jobs=1)


# ---------------------------------------------------------------- local runner


def test_jobs_1_and_jobs_2_write_the_same_tables(local_run, tmp_path):
    two = extract(tmp_path / "jobs2", jobs=2)
    one_t, two_t = read_csv_tables(local_run), read_csv_tables(two)
    for name in TABLES:
        pd.testing.assert_frame_equal(one_t[name], two_t[name], obj=name)
        with open(os.path.join(local_run, f"{name}.csv"), "rb") as a, open(os.path.join(two, f"{name}.csv"), "rb") as b:
            assert a.read() == b.read(), f"{name}.csv differs byte for byte"
    docs = one_t["documents"]
    assert len(docs) == 14 and set(docs["format"]) == {"txt", "docx", "pdf"}
    assert len(one_t["claims"]) > 100 and len(one_t["sections"]) > 100


def test_canonical_form_spells_values_as_the_csv_writer_does():
    df = pd.DataFrame({"a": pd.array([2024, None], dtype="Int64"), "b": [12.0, 0.5], "c": ["=1+1", None]})
    assert as_csv_strings(df).values.tolist() == [["2024", "12.0", "'=1+1"], ["", "0.5", ""]]


# ---------------------------------------------------------------- Dask


@needs_dask
def test_dask_local_cluster_gives_the_local_tables(local_run, tmp_path):
    from summaryscan.engines import read_parquet_tables, run_dask
    out = tmp_path / "dask"
    counts = run_dask([CORPUS], str(out), scheduler=None, partition_size=4, progress=False)
    ref = read_csv_tables(local_run)
    assert counts["documents"] == len(ref["documents"]) == 14
    assert counts["sections"] == len(ref["sections"]) and counts["claims"] == len(ref["claims"])
    assert counts["partitions"] == 4 and counts["failed_partitions"] == 0 and counts["status"] == {"ok": 14}
    for name in TABLES:
        assert sorted(os.listdir(out / name)) == [f"part-{k:05d}.parquet" for k in range(4)]
    assert_same_tables(ref, read_parquet_tables(str(out)))


@needs_dask
def test_a_failing_partition_is_redone_document_by_document(local_run, tmp_path, monkeypatch):
    from distributed import Client

    from summaryscan.engines import dask_engine

    def broken(*args, **kwargs):
        raise RuntimeError("worker lost")
    monkeypatch.setattr(dask_engine, "process_partition", broken)
    with Client(processes=False, n_workers=1, threads_per_worker=2, dashboard_address=None) as client:
        counts = dask_engine.run_dask([CORPUS], str(tmp_path / "d"), partition_size=5, progress=False, client=client)
    assert counts["failed_partitions"] == 3 and counts["documents"] == 14 and counts["status"] == {"ok": 14}
    assert_same_tables(read_csv_tables(local_run), dask_engine.read_parquet_tables(str(tmp_path / "d")))


@needs_dask
def test_a_document_that_raises_becomes_an_error_row(tmp_path, monkeypatch):
    from summaryscan.engines import dask_engine
    paths = sorted(os.path.join(CORPUS, f) for f in os.listdir(CORPUS) if f.endswith(".txt"))[:3]
    real = dask_engine.claim_rows

    def flaky(a):                          # a bug in making one document's rows
        if a.raw.path == paths[1]:
            raise ValueError("boom")
        return real(a)
    monkeypatch.setattr(dask_engine, "claim_rows", flaky)
    r = dask_engine.process_partition(7, paths, str(tmp_path))
    assert r["documents"] == 3 and r["status"] == {"ok": 2, "error": 1}
    docs = dask_engine.read_parquet_tables(str(tmp_path))["documents"]
    assert list(docs["path"]) == paths
    bad = docs.iloc[1]
    assert bad["status"] == "error" and "ValueError: boom" in bad["message"]
    assert bad["doc"] in bad["message"]


@needs_dask
def test_empty_parts_keep_the_schema(tmp_path):
    from summaryscan.engines import dask_engine
    (tmp_path / "in").mkdir()
    odd = tmp_path / "in" / "old.xls"
    odd.write_bytes(b"\xd0\xcf\x11\xe0")
    r = dask_engine.process_partition(0, [str(odd)], str(tmp_path / "out"))
    assert (r["documents"], r["sections"], r["claims"]) == (1, 0, 0)
    import pyarrow.parquet as pq
    for name in TABLES:
        assert pq.read_schema(tmp_path / "out" / name / "part-00000.parquet") == dask_engine.SCHEMAS[name]
    tables = dask_engine.read_parquet_tables(str(tmp_path / "out"))
    assert tables["documents"]["status"].tolist() == ["unsupported"]
    assert tables["claims"].empty and list(tables["claims"].columns) == CLAIM_COLUMNS
    assert str(tables["claims"]["start"].dtype) == "Int64"
    # no input at all: no cluster is started, one empty part per table
    counts = dask_engine.run_dask([], str(tmp_path / "none"), progress=False)
    assert counts["documents"] == 0
    assert all(t.empty for t in dask_engine.read_parquet_tables(str(tmp_path / "none")).values())


@needs_dask
def test_a_rerun_replaces_the_parts_of_an_earlier_run(tmp_path):
    from summaryscan.engines import dask_engine
    out = tmp_path / "out"
    for k in range(3):          # stale parts of a larger earlier run
        dask_engine.process_partition(k, [os.path.join(CORPUS, "01_caizhengju_zongjie.txt")], str(out))
    counts = dask_engine.run_dask([], str(out), progress=False)
    assert counts["documents"] == 0
    assert sorted(os.listdir(out / "documents")) == ["part-00000.parquet"]


def test_check_in_workers_equals_the_api_in_process(tmp_path):
    """`check` assesses in its workers with the classifier's numbers (lean_model); the same
    coverage and findings as the Python API computes in process with scikit-learn's model."""
    import summaryscan as ss
    from summaryscan.classifier import load_model
    from summaryscan.report.tables import COVERAGE_COLUMNS, FINDING_COLUMNS
    outs = []
    for jobs in (1, 2):
        out = tmp_path / f"check{jobs}"
        assert cli_main(["check", CORPUS, "--out", str(out), "--jobs", str(jobs), "--quiet", "--no-cache"]) == 0
        outs.append({name: pd.read_csv(out / f"{name}.csv", dtype=str, keep_default_na=False,
                                       encoding="utf-8-sig") for name in ("coverage", "findings")})
    for name in ("coverage", "findings"):
        pd.testing.assert_frame_equal(outs[0][name], outs[1][name])
    r = ss.read([CORPUS]).check("five-types", classifier=load_model())
    cov = outs[0]["coverage"]
    assert len(cov) == len(r.coverage) > 0 and list(cov.columns) == COVERAGE_COLUMNS
    assert cov["score"].astype(float).round(6).tolist() == r.coverage["score"].astype(float).round(6).tolist()
    assert cov["covered"].tolist() == [str(bool(x)) for x in r.coverage["covered"]]
    assert outs[0]["findings"]["code"].tolist() == r.findings["code"].astype(str).tolist()
    assert list(outs[0]["findings"].columns) == FINDING_COLUMNS
