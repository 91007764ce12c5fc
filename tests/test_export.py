"""`naswot export`: the written file runs where naswot cannot be imported and builds the very network of the space."""

from __future__ import annotations

import ast
import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from cli_runner import assert_one_line_error, naswot
from conftest import require

from naswot.errors import NaswotError
from naswot.exporting import export, export_source
from naswot.spaces import get_space
from naswot.tables.nasbench101 import read_sample

SITE_PACKAGES = Path(torch.__file__).resolve().parents[1]
RUNNER = """
import importlib.util, json, sys
sys.path.append({site!r})
sys.path.extend(sys.argv[2:])
import torch
assert importlib.util.find_spec("naswot") is None, "naswot is importable: the test would prove nothing"
torch.set_num_threads(1)
images = torch.load("images.pt", weights_only=True)
counts = {{}}
for name in sys.argv[1].split(","):
    spec = importlib.util.spec_from_file_location(name, name + ".py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    net = module.build().eval()
    net.load_state_dict(torch.load(name + ".pt", weights_only=True))
    torch.save(net(images), name + ".out.pt")
    counts[name] = sum(p.numel() for p in net.parameters())
print(json.dumps(counts))
"""


def run_isolated(folder: Path, names: list[str], extra_path: list[str] = ()) -> dict[str, int]:
    """Build and run each exported file in a fresh interpreter that sees torch but not naswot (``-I -S``: no
    PYTHONPATH, no site hooks, so not the editable install; only torch's folder is added), in ``folder``."""
    (folder / "runner.py").write_text(RUNNER.format(site=str(SITE_PACKAGES)))
    result = subprocess.run([sys.executable, "-I", "-S", "runner.py", ",".join(names), *extra_path], cwd=folder,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def trained_looking(space, arch, num_classes: int, images: torch.Tensor, seed: int) -> torch.nn.Module:
    """The space's network with BatchNorm statistics moved off their defaults, so every buffer is compared."""
    torch.manual_seed(seed)
    net = space.build(arch, num_classes)
    with torch.no_grad():
        net.train()(images)
    return net.eval()


def official_nb201(params_csv: Path, rows: int) -> list[tuple[str, int]]:
    with params_csv.open() as handle:
        table = list(csv.DictReader(handle))
    picked = [table[i] for i in np.linspace(0, len(table) - 1, rows).astype(int)]
    return [(row["ArchitectureString"], round(float(row["ParamsMillions"]) * 1e6)) for row in picked]


def test_exported_files_match_the_official_counts_and_the_spaces_outputs_without_naswot(
        tmp_path, cifar_batch, nb201_params_csv, nb101_json):
    images = cifar_batch.images[:4].contiguous()
    torch.save(images, tmp_path / "images.pt")
    sample = json.loads(nb101_json.read_text())
    cases = [("nasbench201", arch, 10, official) for arch, official in official_nb201(nb201_params_csv, 3)]
    cases += [("nasbench101", str(cell), 10, count)
              for cell, count in zip(read_sample(nb101_json).archs()[:2], sample["trainable_parameters"][:2])]
    rng = np.random.default_rng(3)
    for spec, classes in [("natsbench_sss", 100), ("nds:space=DARTS,widths=16,depths=5", 10),
                          ("nds:space=NASNet,widths=8,depths=4", 7), ("nasbench101:stem=16,stacks=2,cells=1", 5)]:
        cases.append((spec, str(get_space(spec).sample(rng)), classes, None))
    names, expected = [], {}
    for i, (spec, text, classes, official) in enumerate(cases):
        space = get_space(spec)
        arch = space.parse(text)
        name = f"net{i}"
        export(space, arch, tmp_path / f"{name}.py", num_classes=classes)
        net = trained_looking(space, arch, classes, images, seed=i)
        torch.save(net.state_dict(), tmp_path / f"{name}.pt")
        with torch.no_grad():
            expected[name] = (net(images), sum(p.numel() for p in net.parameters()), official)
        names.append(name)
    counts = run_isolated(tmp_path, names)
    for name, (outputs, count, official) in expected.items():
        assert counts[name] == count, name
        if official is not None:
            assert count == official, name  # the official table's parameter count
        assert torch.equal(torch.load(tmp_path / f"{name}.out.pt", weights_only=True), outputs), name
    for name in names:  # nothing but torch is imported
        tree = ast.parse((tmp_path / f"{name}.py").read_text())
        modules = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        modules |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert modules <= {"__future__", "torch"}, (name, modules)


def test_a_zoo_model_exports_as_a_call_of_the_users_function_that_needs_their_module(tmp_path, cifar_batch):
    user = tmp_path / "user"
    user.mkdir()
    (user / "mynets.py").write_text(
        "from torch import nn\n\n\n"
        "def build(width=8, num_classes=10):\n"
        "    return nn.Sequential(nn.Conv2d(3, width, 3, padding=1), nn.BatchNorm2d(width), nn.ReLU(),\n"
        "                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(width, num_classes))\n")
    sys.path.insert(0, str(user))
    try:
        result = naswot("export", "mynets:build(width=6)", "--space", "zoo:family=mynets:build", "--out", "zoo_net.py",
                        "--num-classes", "3", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        source = (tmp_path / "zoo_net.py").read_text()
        assert "from mynets import build as network_function" in source and "import mynets" in source
        assert "width=6" in source and "num_classes=3" in source
        space = get_space("zoo:family=mynets:build,width=6")
        net = trained_looking(space, space.parse("mynets:build(width=6)"), 3, cifar_batch.images[:4], seed=0)
    finally:
        sys.path.remove(str(user))
        sys.modules.pop("mynets", None)
    images = cifar_batch.images[:4].contiguous()
    torch.save(images, tmp_path / "images.pt")
    torch.save(net.state_dict(), tmp_path / "zoo_net.pt")
    counts = run_isolated(tmp_path, ["zoo_net"], [str(user)])
    assert counts["zoo_net"] == sum(p.numel() for p in net.parameters()) == 6 * 27 + 6 + 12 + 6 * 3 + 3
    with torch.no_grad():
        assert torch.equal(torch.load(tmp_path / "zoo_net.out.pt", weights_only=True), net(images))


def test_the_exported_file_runs_as_a_script_and_names_its_architecture(tmp_path):
    arch = "|nor_conv_3x3~0|+|nor_conv_1x1~0|none~1|+|skip_connect~0|avg_pool_3x3~1|nor_conv_3x3~2|"
    result = naswot("export", arch, "--space", "nasbench201:C=4,N=1", "--out", "model.py", "--image-size", "24x40",
                    cwd=tmp_path)
    assert result.returncode == 0 and "wrote" in result.stdout, result.stderr
    namespace: dict = {}
    exec(compile((tmp_path / "model.py").read_text(), "model.py", "exec"), namespace)
    assert namespace["ARCH"] == arch and namespace["INPUT_SHAPE"] == (3, 24, 40) and namespace["NUM_CLASSES"] == 10
    run = subprocess.run([sys.executable, "-I", "-S", "-c", f"import sys; sys.path.append({str(SITE_PACKAGES)!r}); "
                          "import runpy; runpy.run_path('model.py', run_name='__main__')"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    count = sum(p.numel() for p in get_space("nasbench201:C=4,N=1").build(get_space("nasbench201").parse(arch)).parameters())
    assert run.stdout.strip() == f"{count:,} parameters; logits of shape (2, 10)"


class _NoCallSpace:
    """A user space that builds networks but does not say how: it cannot be exported."""

    name = "mine"

    def parse(self, text):
        return text

    def network_call(self, arch, num_classes=10):
        return None

    def spec(self):
        return self.name


def test_export_refusals_are_one_line(tmp_path, monkeypatch):
    arch = "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|"
    assert_one_line_error(naswot("export", "not-a-cell", "--out", "m.py", cwd=tmp_path), "not-a-cell", "nodes")
    assert_one_line_error(naswot("export", arch, "--out", "missing/m.py", cwd=tmp_path), "--out", "does not exist")
    assert_one_line_error(naswot("export", arch, "--out", "m.onnx", "--format", "onnx", cwd=tmp_path), "--out", "model.py")
    assert_one_line_error(naswot("export", arch, "--image-size", "0x3", cwd=tmp_path), "--image-size", "64x48")
    assert_one_line_error(naswot("export", arch, "--num-classes", "0", cwd=tmp_path), "--num-classes 1 or more")
    assert_one_line_error(naswot("export", arch, "--weights", "w.pt", cwd=tmp_path), "--weights", "--format onnx")
    monkeypatch.setattr("naswot.exporting.onnx_file.PACKAGES", ("onnx", "no_such_onnx_package"))
    result = naswot("export", arch, "--format", "onnx", "--out", "m.py", cwd=tmp_path)
    assert_one_line_error(result, "--format onnx needs", "pip install onnx")
    assert not (tmp_path / "m.py").exists()  # refused before anything was written
    with pytest.raises(NaswotError, match="cannot be exported: give it a network_call"):
        export_source(_NoCallSpace(), "x")
    with pytest.raises(NaswotError, match="format='tf' is not one of py, onnx"):
        export("nasbench201", arch, tmp_path / "m.py", format="tf")


def test_onnx_holds_the_trained_weights_and_computes_the_same_logits(tmp_path, cifar_batch):
    onnx = require("onnx", "pip install 'naswot[onnx]'")
    require("onnxscript", "pip install 'naswot[onnx]'")
    from onnx.reference import ReferenceEvaluator

    space = get_space("nasbench201:C=4,N=1")
    arch = space.parse("|nor_conv_3x3~0|+|nor_conv_3x3~0|none~1|+|skip_connect~0|nor_conv_1x1~1|avg_pool_3x3~2|")
    images = cifar_batch.images[:5].contiguous()
    net = trained_looking(space, arch, 10, images, seed=1)
    torch.save(net.state_dict(), tmp_path / "weights.pt")
    result = naswot("export", str(arch), "--space", space.spec(), "--out", "m.py", "--format", "onnx",
                    "--weights", "weights.pt", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("wrote") == 2 and result.stderr == ""
    model = onnx.load(str(tmp_path / "m.onnx"))
    onnx.checker.check_model(model)
    (logits,) = ReferenceEvaluator(model).run(None, {"images": images.numpy()})  # a batch of 5: any batch size
    with torch.no_grad():
        assert np.allclose(logits, net(images).numpy(), rtol=1e-4, atol=1e-5)
    torch.save({"stem.0.weight": torch.zeros(1)}, tmp_path / "other.pt")
    assert_one_line_error(naswot("export", str(arch), "--space", space.spec(), "--out", "n.py", "--format", "onnx",
                                 "--weights", "other.pt", cwd=tmp_path), "--weights other.pt do not fit")
