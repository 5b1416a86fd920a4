"""Which GEMM library CTranslate2 runs its matrix products on: chosen once per process, before
``ctranslate2`` is imported.

CTranslate2's wheel carries two: Intel MKL, which it uses on Intel CPUs, and oneDNN elsewhere. On an
AMD CPU with AVX-512 VNNI (Zen 4 and later) MKL's own kernels are the faster for decoding (why, with
the figures: docs/decisions.md). ``native/mkl_cpu.c`` tells MKL the CPU class whose instructions this
CPU has; it is loaded into the process's global symbol scope before CTranslate2, whose calls to MKL's
CPU checks then reach it. Only CPUs with every instruction that MKL path uses get it; everywhere else
CTranslate2 keeps its own choice.
"""

from __future__ import annotations

import ctypes
import importlib.util
import logging
import os
import platform
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from api.errors import EngineUnavailable

log = logging.getLogger(__name__)

# Every instruction-set extension of MKL's AVX-512 VNNI path (Cascade Lake class and later).
NEEDED_FLAGS = ("avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl", "avx512_vnni")
SHIM_MODULE = "api.engines._mkl_cpu"
SHIM_MARK = "ringkas_mkl_cpu_code"  # a symbol only the shim defines: it is loaded when this resolves


@dataclass(frozen=True)
class Cpu:
    vendor: str  # "GenuineIntel", "AuthenticAMD", ... ("" where /proc/cpuinfo is missing)
    flags: frozenset[str]
    machine: str

    @classmethod
    def here(cls) -> Cpu:
        path = Path("/proc/cpuinfo")
        text = path.read_text() if path.exists() else ""
        fields: dict[str, str] = {}
        for line in text.splitlines():
            name, _, value = line.partition(":")
            fields.setdefault(name.strip(), value.strip())
        return cls(fields.get("vendor_id", ""), frozenset(fields.get("flags", "").split()), platform.machine())

    def missing(self) -> list[str]:
        return [flag for flag in NEEDED_FLAGS if flag not in self.flags]


@dataclass(frozen=True)
class GemmChoice:
    backend: str  # "mkl", "onednn", or "default" (not x86: CTranslate2's own backends)
    reason: str
    mkl_cpu_override: bool = False  # MKL told this CPU's class by the shim

    def describe(self) -> dict:
        return asdict(self)


def choose(
    setting: str, cpu: Cpu, shim: Path | None, *, ct2_imported: bool, shim_loaded: bool, env: str | None
) -> GemmChoice:
    """The decision alone, from the facts (``apply`` gathers them and acts on the result). A second
    call in the same process gives the first one's answer: the shim, once loaded, says it was MKL."""
    if env is not None and not shim_loaded:  # the operator's own CT2_USE_MKL: CTranslate2 obeys it
        backend = "mkl" if env.strip().lower() in ("1", "true", "on", "yes") else "onednn"
        return GemmChoice(backend, f"CT2_USE_MKL={env} set in the environment")
    override = GemmChoice("mkl", f"{cpu.vendor or 'non-Intel'} CPU with AVX-512 VNNI: MKL's AVX-512 VNNI kernels", True)
    if shim_loaded:
        return override
    if setting == "onednn":
        return GemmChoice("onednn", "RINGKAS_MODELS__GEMM=onednn")
    if cpu.vendor == "GenuineIntel":
        return GemmChoice("mkl", "Intel CPU: CTranslate2's own choice")
    # Where Ringkas does not step in, CTranslate2 keeps its own choice: oneDNN on other x86 CPUs,
    # its ARM backends elsewhere.
    if cpu.machine not in ("x86_64", "AMD64"):
        return _refuse(setting, f"{cpu.machine} CPU, MKL is x86-only: CTranslate2's own choice", "default")
    if not cpu.vendor:
        return _refuse(setting, "CPU unknown (no /proc/cpuinfo): CTranslate2's own choice", "default")
    missing = cpu.missing()
    if missing:
        return _refuse(setting, f"this CPU lacks {', '.join(missing)}, which MKL's fast int8 path needs")
    if shim is None:
        return _refuse(setting, f"{SHIM_MODULE} was not built (no C compiler at install time)")
    if ct2_imported:
        # CTranslate2 bound MKL's CPU checks when it was loaded; nothing can change them now.
        return _refuse(setting, "ctranslate2 was imported before Ringkas chose its GEMM library")
    return override


def _refuse(setting: str, why: str, backend: str = "onednn") -> GemmChoice:
    if setting == "mkl":
        raise EngineUnavailable(f"RINGKAS_MODELS__GEMM=mkl cannot be honoured: {why}")
    return GemmChoice(backend, why)


def apply(setting: str) -> GemmChoice:
    """Chooses and acts: for a switch to MKL, loads the shim, then has CTranslate2 read CT2_USE_MKL
    (once: it keeps the answer). Call before the process's first ``import ctranslate2``; calling
    again is harmless. CT2_USE_MKL is set only for that read: a child process (the model converter,
    a bench peer) must not inherit CT2_USE_MKL=1 without the shim, which is MKL's generic path."""
    choice = choose(
        setting,
        Cpu.here(),
        shim_path(),
        ct2_imported="ctranslate2" in sys.modules,
        shim_loaded=shim_loaded(),
        env=os.environ.get("CT2_USE_MKL"),
    )
    first = "ctranslate2" not in sys.modules  # later calls only repeat what this process runs
    steps_in = choice.mkl_cpu_override or setting == "onednn"  # otherwise CTranslate2 already agrees
    if first and steps_in and "CT2_USE_MKL" not in os.environ:
        _switch(choice)
    level = logging.INFO if first else logging.DEBUG
    log.log(level, "CTranslate2 GEMM library: %s (%s)", choice.backend, choice.reason)
    return choice


def _switch(choice: GemmChoice) -> None:
    """Loads the shim when the choice needs it, then imports CTranslate2 with CT2_USE_MKL set for
    its one read of it."""
    if choice.mkl_cpu_override:
        ctypes.CDLL(str(shim_path()), mode=os.RTLD_GLOBAL)
    if choice.backend == "mkl":
        # MKL's own allocator keeps every buffer it used: off, a lower burst peak at the same speed.
        # An operator's own setting wins.
        os.environ.setdefault("MKL_DISABLE_FAST_MM", "1")
    os.environ["CT2_USE_MKL"] = "1" if choice.backend == "mkl" else "0"
    try:
        import ctranslate2

        ctranslate2.get_supported_compute_types("cpu")  # its first backend query reads the variable
    finally:
        del os.environ["CT2_USE_MKL"]


def shim_path() -> Path | None:
    spec = importlib.util.find_spec(SHIM_MODULE)
    return Path(spec.origin) if spec is not None and spec.origin else None


def shim_loaded() -> bool:
    try:
        return bool(getattr(ctypes.CDLL(None), SHIM_MARK)())
    except AttributeError:
        return False
