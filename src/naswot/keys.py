"""The one place that decides what a stored score is keyed by: everything besides the architecture that
decides its value.

That is the space and its settings, the score and its version, the code that builds the network (the
space's network modules, or for a zoo model its own module or pytorchcv's version), torch's version and
the device type (both change round-off, and through it near-zero ReLU codes), the number of classes, the
batch's fingerprint and the seed. The package version is deliberately absent: it decides no value, and
would make every store useless at each release. Whatever writes or reads results (the executor, a sweep's
copies, results listings, reproductions) asks a ``KeyBuilder``, so two commands never key one value apart.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from naswot.store import ResultKey

if TYPE_CHECKING:
    from naswot.data.batch import Batch
    from naswot.scores.registry import ScoreSpec
    from naswot.spaces.base import Arch, SearchSpace


def machine_name(device_type: str) -> str:
    """The processor a machine-dependent score (a latency) was measured on: the CPU model, or the GPU's name."""
    if device_type == "cuda":
        import torch

        return torch.cuda.get_device_name()
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    import platform

    return platform.processor() or platform.machine()


class KeyBuilder:
    """The store keys of one run: a space, a batch, a seed and a device type, for any architecture and score."""

    def __init__(self, space: SearchSpace, batch: Batch, seed: int, device_type: str) -> None:
        import torch

        self.space, self.batch, self.seed = space, batch, seed
        self._fixed = {"num_classes": batch.num_classes, "torch": torch.__version__, "device": device_type}
        self._space_code = space.code_version()
        self._keys: dict[tuple[str, int, str], ResultKey] = {}  # one key object per score and code, however many archs

    def code(self, arch: Arch) -> str:
        """The version of the code that builds ``arch``'s network."""
        return self.space.arch_code_version(arch) or self._space_code

    def key(self, arch: Arch, spec: ScoreSpec) -> ResultKey:
        code = self.code(arch)
        cached = self._keys.get((spec.name, spec.version, code))
        if cached is None:
            machine = {"machine": machine_name(self._fixed["device"])} if spec.per_machine else {}
            settings = ResultKey.settings_text({**self._fixed, "version": spec.version, "code": code, **machine})
            cached = ResultKey(self.space.spec(), spec.name, self.batch.fingerprint, self.seed, settings)
            self._keys[spec.name, spec.version, code] = cached
        return cached
