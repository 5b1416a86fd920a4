"""CTranslate2's GEMM library: the choice on every kind of CPU, and on this one what it does to the
process (MKL's AVX-512 VNNI kernels on AMD, nothing leaked to child processes, one report)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from api.engines import gemm
from api.engines.gemm import NEEDED_FLAGS, Cpu, GemmChoice, choose
from api.errors import EngineUnavailable
from tests.conftest import GEMM
from tests.helpers import REPO_ROOT

pytestmark = pytest.mark.unit

ZEN4 = Cpu("AuthenticAMD", frozenset({"avx2", *NEEDED_FLAGS, "avx512_bf16"}), "x86_64")
ZEN3 = Cpu("AuthenticAMD", frozenset({"avx2", "fma"}), "x86_64")
XEON = Cpu("GenuineIntel", frozenset({"avx2", *NEEDED_FLAGS}), "x86_64")
GRAVITON = Cpu("", frozenset({"asimd", "sve"}), "aarch64")
SHIM = REPO_ROOT / "api" / "engines" / "_mkl_cpu.so"  # only its presence matters to choose()


def _choose(cpu: Cpu, setting: str = "auto", shim=SHIM, ct2_imported=False, shim_loaded=False, env=None):
    return choose(setting, cpu, shim, ct2_imported=ct2_imported, shim_loaded=shim_loaded, env=env)


def test_amd_with_avx512_vnni_gets_mkl_through_the_shim():
    choice = _choose(ZEN4)
    assert (choice.backend, choice.mkl_cpu_override) == ("mkl", True)


def test_intel_keeps_ctranslate2s_own_mkl_without_the_shim():
    choice = _choose(XEON)
    assert (choice.backend, choice.mkl_cpu_override) == ("mkl", False)


@pytest.mark.parametrize(
    ("cpu", "facts", "why", "backend"),
    [
        (ZEN3, {}, "avx512f", "onednn"),
        (GRAVITON, {}, "aarch64", "default"),  # CTranslate2's own ARM backends
        (Cpu("", frozenset(), "x86_64"), {}, "unknown", "default"),  # no /proc/cpuinfo: hands off
        (ZEN4, {"shim": None}, "not built", "onednn"),
        (ZEN4, {"ct2_imported": True}, "imported before", "onednn"),
    ],
)
def test_where_mkl_cannot_run_fast_auto_keeps_ctranslate2s_choice_and_mkl_refuses(cpu, facts, why, backend):
    choice = _choose(cpu, **facts)
    assert choice.backend == backend and why in choice.reason and not choice.mkl_cpu_override
    with pytest.raises(EngineUnavailable, match=why):
        _choose(cpu, "mkl", **facts)


def test_the_operator_decides_over_auto():
    assert _choose(ZEN4, "onednn").backend == "onednn"
    assert _choose(XEON, "onednn").backend == "onednn"
    # CTranslate2 reads CT2_USE_MKL itself, so the report must follow it, whatever the setting says.
    assert _choose(ZEN4, env="0").backend == "onednn"
    assert _choose(ZEN3, "mkl", env="1") == GemmChoice("mkl", "CT2_USE_MKL=1 set in the environment")


def test_a_second_choice_in_the_process_reports_the_first():
    first = _choose(ZEN4)
    assert _choose(ZEN4, "onednn", shim_loaded=True, ct2_imported=True) == first
    # On a CPU without the instructions, the reason stays the CPU's, not the import that followed.
    assert _choose(ZEN3, ct2_imported=True) == _choose(ZEN3)


def _this_cpu_takes_the_shim() -> bool:
    cpu = Cpu.here()
    return cpu.vendor not in ("GenuineIntel", "") and not cpu.missing() and gemm.shim_path() is not None


needs_shim = pytest.mark.skipif(not _this_cpu_takes_the_shim(), reason="this CPU or install does not take the shim")


@needs_shim
def test_this_process_runs_mkl_and_leaks_nothing_to_children():
    """The suite's process chose as the service does (tests/conftest.py): MKL, with the shim in the
    global scope, and CT2_USE_MKL gone again, so a converter or bench child starts clean (with it
    and no shim, MKL would take its generic path, ~20x slower)."""
    assert GEMM.backend == "mkl" and GEMM.mkl_cpu_override
    assert gemm.shim_loaded()
    assert "CT2_USE_MKL" not in os.environ
    assert os.environ.get("MKL_DISABLE_FAST_MM") == "1"
    assert gemm.apply("onednn") == GEMM  # too late to change: the report says what runs


_PROBE = """
import os, sys
from api.engines import gemm
choice = gemm.apply(sys.argv[1])
import ctranslate2
folder = sys.argv[2]
translator = ctranslate2.Translator(folder, compute_type="int8", intra_threads=1)
print(choice.backend, file=sys.stderr)
"""


@pytest.mark.integration
@needs_shim
@pytest.mark.parametrize(("setting", "backend"), [("auto", "MKL"), ("onednn", "DNNL")])
def test_ctranslate2_itself_reports_the_chosen_library(settings, setting, backend):
    """CTranslate2's own log (CT2_VERBOSE) names the GEMM library it runs, in a fresh process."""
    from api.models.convert import ensure_converted
    from api.models.loading import ModelSource

    folder = ensure_converted(ModelSource(settings.summarizer.model), None, "int8", settings.converted_models_dir())
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CT2_", "MKL_"))} | {"CT2_VERBOSE": "1"}
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE, setting, str(folder)],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO_ROOT,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert f"GEMM_S8 backend: {backend}" in proc.stderr
