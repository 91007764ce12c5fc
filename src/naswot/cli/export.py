"""`naswot export`: an architecture as a standalone PyTorch file (and ONNX), ready to train and ship."""

from __future__ import annotations

import click

from naswot.cli.options import positive, space_option, writable_path
from naswot.cli.output import console
from naswot.errors import NaswotError


def image_size_option(ctx: click.Context, param: click.Parameter, value: str) -> tuple[int, int]:
    """``H`` or ``HxW`` as (height, width), refused in one line while the options are read."""
    parts = value.lower().split("x")
    if len(parts) in (1, 2) and all(part.strip().isdigit() and int(part) > 0 for part in parts):
        sides = [int(part) for part in parts]
        return sides[0], sides[-1]
    raise NaswotError(f"--image-size {value!r} is not H or HxW in pixels: pass e.g. 32 or 64x48")


@click.command("export")
@click.argument("arch")
@space_option
@click.option("--out", default="model.py", show_default=True, callback=writable_path,
              help="The Python file to write; with --format onnx the .onnx file goes beside it.")
@click.option("--format", "file_format", type=click.Choice(["py", "onnx"]), default="py", show_default=True,
              help="py: the source file only; onnx: an ONNX file as well (pip install 'naswot[onnx]').")
@click.option("--num-classes", default=10, show_default=True, callback=positive("use --num-classes 1 or more"),
              help="Outputs of the classifier.")
@click.option("--image-size", default="32", show_default=True, callback=image_size_option,
              help="Input height and width, H or HxW (the ONNX file's input shape; the file states it).")
@click.option("--weights", help="With --format onnx: the weights the ONNX file holds (naswot train's model.pt, or a state "
                                "dict file); default the untrained initialisation.")
def command(arch: str, space: str, out: str, file_format: str, num_classes: int, image_size: tuple[int, int],
            weights: str | None) -> None:
    """Write ARCH's network as a Python file that imports only torch and offers build()."""
    from naswot.export import export

    for path in export(space, arch, out, num_classes=num_classes, image_size=image_size, format=file_format,
                       weights=weights):
        console.print(f"wrote {path}")
