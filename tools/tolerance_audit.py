"""pytest plugin: record how much of its tolerance every numeric comparison on the pages uses.

Run it over the page code (``make tolerance-audit`` does)::

    PYTHONPATH=tools .venv/bin/python -m pytest docs -p tolerance_audit -q

Every call of ``torch.testing.assert_close``, ``torch.allclose``, ``numpy.testing.assert_allclose``,
``numpy.allclose``/``isclose`` and ``math.isclose`` made from a page's code is recorded with the page and
line, the dtypes compared, the tolerances in force and the share of the tolerance the worst element used
(``|a - b| / (atol + rtol·|b|)``). At the end the plugin prints the comparisons that are fragile:

Comparisons with ``rtol = atol = 0`` are taken as deliberate bit-for-bit checks of the same computation run
twice and are not reported. The fragile kinds:

* **float32 at float64 tolerances**: a float32 (or lower) result compared with ``rtol`` below 1e-6 and
  ``atol`` below 1e-6 (the float64 defaults, or Python floats taken from float32 tensors with ``.item()``);
* **little margin**: the worst element used more than MARGIN of the tolerance on this machine, so another
  CPU's kernels or thread count can push it over; or, for a check that two results differ (``allclose`` that
  returned False), they differ by less than 1/MARGIN times the tolerance.

It writes the full record as JSON lines to ``$KB_TOLERANCE_AUDIT`` when that is set. It never changes a
result: the wrapped functions are called as they are.
"""
from __future__ import annotations

import json
import math
import os
import sys
from pathlib import Path

MARGIN = 0.25
"""Share of the tolerance beyond which a comparison is reported as having little margin (4× headroom left).

Monte-Carlo checks on the pages sit at 11–16 % (their tolerances are 6 or more standard errors) and float32
checks of one formula against a library at up to 18 %."""
TIGHT = 1e-6
"""rtol and atol both below this, on float32 data, are float64 tolerances."""

_records: list[dict] = []


def _where() -> str | None:
    """page:line (or tests/file.py:line) of the page or test code that made the comparison, else None."""
    frame = sys._getframe(2)
    while frame is not None:
        name = frame.f_code.co_filename
        if "/tests/test_" in name and name.endswith(".py"):
            return f"tests/{name.rsplit('/tests/', 1)[1]}:{frame.f_lineno}"
        if name.startswith("<doctest ") and ".md[" in name:  # a >>> line of a ```pycon block: no line number of the page
            name = name[len("<doctest ") : name.index(".md[") + 3] + ":pycon"
            return name.replace(str(Path.cwd()) + "/", "")
        if name.endswith(".md"):
            try:
                name = Path(name).resolve().relative_to(Path.cwd()).as_posix()
            except ValueError:
                pass
            return f"{name}:{frame.f_lineno}"
        frame = frame.f_back
    return None


def _as_arrays(a, b):  # noqa: ANN001, ANN202
    import numpy as np

    def one(x):  # noqa: ANN001, ANN202
        torch = sys.modules.get("torch")
        if torch is not None and isinstance(x, torch.Tensor):
            dtype = str(x.dtype).replace("torch.", "")
            if x.is_complex():
                x = torch.view_as_real(x.detach().cpu().resolve_conj())
            return x.detach().cpu().to(torch.float64).numpy(), dtype
        arr = np.asarray(x)
        if arr.dtype == object:
            arr = np.asarray([np.asarray(v, dtype=np.float64) for v in x])
        dtype = "python-float" if isinstance(x, float) else str(arr.dtype)
        if arr.dtype == np.float64 and _float32_valued(arr):
            dtype += "(float32 values)"  # e.g. tensor.item() of a float32 result
        if np.iscomplexobj(arr):
            arr = np.stack([arr.real, arr.imag], -1)
        return arr.astype(np.float64), dtype

    (xa, da), (xb, db) = one(a), one(b)
    return xa, xb, da, db


def _float32_valued(arr) -> bool:  # noqa: ANN001
    """True when every finite value survives a round trip through float32 and one needs more than 12 bits of
    mantissa: the mark of float32 results turned into float64 (a float64 result does so with odds of 1 in 2^29)."""
    import numpy as np

    values = arr[np.isfinite(arr)].ravel()
    if values.size == 0 or not np.array_equal(values.astype(np.float32).astype(np.float64), values):
        return False
    mantissa, _ = np.frexp(values)
    return bool(np.any(np.abs(mantissa * 2**12 - np.round(mantissa * 2**12)) > 0))


def _usage(a, b, rtol: float, atol: float) -> tuple[float, str, str]:  # noqa: ANN001
    import numpy as np

    xa, xb, da, db = _as_arrays(a, b)
    xa, xb = np.broadcast_arrays(xa, xb)
    finite = np.isfinite(xa) & np.isfinite(xb)
    if not finite.any():
        return 0.0, da, db
    allowed = atol + rtol * np.abs(xb[finite])
    diff = np.abs(xa[finite] - xb[finite])
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(allowed > 0, diff / np.where(allowed > 0, allowed, 1), np.where(diff > 0, np.inf, 0.0))
    return float(ratio.max()) if ratio.size else 0.0, da, db


def _record(kind: str, a, b, rtol: float, atol: float, result: bool | None = None) -> None:  # noqa: ANN001
    where = _where()
    if where is None:
        return
    try:
        usage, da, db = _usage(a, b, rtol, atol)
    except Exception as exc:  # noqa: BLE001 — an audit must never break the page it audits
        _records.append({"where": where, "kind": kind, "error": f"{type(exc).__name__}: {exc}"})
        return
    _records.append({"where": where, "kind": kind, "dtypes": [da, db], "rtol": rtol, "atol": atol, "usage": usage, "result": result})


def _torch_defaults(a, b) -> tuple[float, float]:  # noqa: ANN001
    """The tolerances torch.testing.assert_close picks for these inputs (its table, by the less precise dtype)."""
    import torch

    table = {torch.float16: (1e-3, 1e-5), torch.bfloat16: (1.6e-2, 1e-5), torch.float32: (1.3e-6, 1e-5), torch.float64: (1e-7, 1e-7)}
    dtypes = []
    for x in (a, b):
        if isinstance(x, torch.Tensor):
            dtypes.append(x.dtype if not x.is_complex() else {torch.complex64: torch.float32, torch.complex128: torch.float64}.get(x.dtype, torch.float32))
        elif isinstance(x, float):
            dtypes.append(torch.float64)
        else:
            try:
                dtypes.append(torch.as_tensor(x).dtype)
            except Exception:  # noqa: BLE001
                dtypes.append(torch.float64)
    worst = max((table.get(d, (0.0, 0.0)) for d in dtypes), default=(0.0, 0.0))
    return worst


def install() -> None:
    """Wrap the comparison functions (once)."""
    import numpy as np

    def wrap_np_assert(fn):  # noqa: ANN001, ANN202
        def assert_allclose(actual, desired, rtol=1e-7, atol=0, *args, **kwargs):  # noqa: ANN001, ANN202
            _record("np.testing.assert_allclose", actual, desired, rtol, atol)
            return fn(actual, desired, rtol, atol, *args, **kwargs)

        return assert_allclose

    def wrap_np_close(fn, kind):  # noqa: ANN001, ANN202
        def close(a, b, rtol=1e-5, atol=1e-8, *args, **kwargs):  # noqa: ANN001, ANN202
            out = fn(a, b, rtol, atol, *args, **kwargs)
            _record(kind, a, b, rtol, atol, bool(np.all(out)))
            return out

        return close

    np.testing.assert_allclose = wrap_np_assert(np.testing.assert_allclose)
    np.allclose = wrap_np_close(np.allclose, "np.allclose")
    np.isclose = wrap_np_close(np.isclose, "np.isclose")

    isclose = math.isclose

    def math_isclose(a, b, *, rel_tol=1e-9, abs_tol=0.0):  # noqa: ANN001, ANN202
        out = isclose(a, b, rel_tol=rel_tol, abs_tol=abs_tol)
        _record("math.isclose", a, b, rel_tol, abs_tol, out)
        return out

    math.isclose = math_isclose

    try:
        import torch
        import torch.testing
    except ImportError:  # pragma: no cover
        return
    assert_close = torch.testing.assert_close

    def torch_assert_close(actual, expected, *args, rtol=None, atol=None, **kwargs):  # noqa: ANN001, ANN202
        r, a = (rtol, atol) if rtol is not None and atol is not None else _torch_defaults(actual, expected)
        _record("torch.testing.assert_close", actual, expected, r, a)
        return assert_close(actual, expected, *args, rtol=rtol, atol=atol, **kwargs)

    torch.testing.assert_close = torch_assert_close
    allclose = torch.allclose

    def torch_allclose(input, other, rtol=1e-5, atol=1e-8, equal_nan=False):  # noqa: A002, ANN001, ANN202
        out = allclose(input, other, rtol=rtol, atol=atol, equal_nan=equal_nan)
        _record("torch.allclose", input, other, rtol, atol, out)
        return out

    torch.allclose = torch_allclose


LOW = ("float32", "float16", "bfloat16", "complex64")


def fragile(record: dict) -> str | None:
    """Why a recorded comparison is fragile, or None."""
    if "usage" not in record:
        return None
    if record.get("result") is False:  # a check that two things differ: fragile when they differ by little
        return f"'not close' by only {record['usage']:.1f}x its tolerance" if record["usage"] < 1 / MARGIN else None
    low = any(d in LOW or d.endswith("(float32 values)") for d in record["dtypes"])
    if record["rtol"] == 0 and record["atol"] == 0:
        return None  # bit-for-bit on purpose: the same operations run twice (e.g. a resumed training run)
    if low and record["rtol"] < TIGHT and record["atol"] < TIGHT:
        return "float32 compared at float64 tolerances"
    if record["usage"] > MARGIN and math.isfinite(record["usage"]):
        return f"uses {record['usage']:.0%} of its tolerance"
    if not math.isfinite(record["usage"]):
        return "fails"
    return None


def pytest_configure(config) -> None:  # noqa: ANN001
    install()


def _fragile() -> dict[str, tuple[str, dict]]:
    worst: dict[str, tuple[str, dict]] = {}
    for record in _records:
        why = fragile(record)
        if why and record["where"] not in worst:
            worst[record["where"]] = (why, record)
    return worst


def pytest_sessionfinish(session, exitstatus) -> None:  # noqa: ANN001
    """With KB_TOLERANCE_STRICT=1, a fragile comparison fails the run."""
    if os.environ.get("KB_TOLERANCE_STRICT") == "1" and _fragile() and session.exitstatus == 0:
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter) -> None:  # noqa: ANN001
    out = os.environ.get("KB_TOLERANCE_AUDIT")
    if out:
        Path(out).write_text("".join(json.dumps(r) + "\n" for r in _records), encoding="utf-8")
    worst = _fragile()
    write = terminalreporter.write_line
    write(f"tolerance audit: {len(_records)} comparisons on the pages, {len(worst)} fragile")
    for where, (why, record) in sorted(worst.items()):
        write(f"  {where}: {record['kind']} {record['dtypes']} rtol={record['rtol']:g} atol={record['atol']:g}: {why}")
