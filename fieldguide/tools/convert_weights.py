"""Convert trained weights between a PyTorch module and a Keras model: a command.

The conversion itself lives in snippets/porting/port_weights.py, the code docs/porting.md
shows and tests; this command only loads and saves files around it.

    python -m fieldguide convert-weights torch-to-keras STATE.pt FACTORY TWIN.keras OUT.weights.h5
    python -m fieldguide convert-weights keras-to-torch MODEL.keras FACTORY OUT.pt

STATE.pt is a PyTorch state_dict (torch.save(model.state_dict(), ...)); FACTORY is
`module:function`, an importable function that builds the PyTorch architecture;
TWIN.keras is the Keras architecture (model.save(...)); the result is a Keras
weights file or a PyTorch state_dict.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys
from pathlib import Path

from fieldguide.project import snippet_folder

snippet_folder("porting")  # port_weights.py, the page's code, imported by name


def load_factory(spec: str):
    module_name, _, function = spec.partition(":")
    if not module_name or not function:
        raise SystemExit(f"FACTORY {spec!r}: expected module:function, e.g. my_models:make_cnn")
    # The reader's module (my_models.py) sits in the folder they run the command from:
    # a module file there is loaded from its path, anything else imported by name.
    local = Path.cwd() / f"{module_name.replace('.', '/')}.py"
    if local.is_file():
        found = importlib.util.spec_from_file_location(module_name, local)
        module = importlib.util.module_from_spec(found)
        sys.modules[module_name] = module
        found.loader.exec_module(module)
    else:
        module = importlib.import_module(module_name)
    return getattr(module, function)


def torch_to_keras(state_path: Path, factory: str, twin_path: Path, out_path: Path) -> None:
    import keras
    import torch
    from port_weights import torch_cnn_to_keras

    if not str(out_path).endswith(".weights.h5"):
        raise SystemExit(f"{out_path}: Keras saves weights to a file ending in .weights.h5")
    model = load_factory(factory)()
    model.load_state_dict(torch.load(state_path, weights_only=True))  # refuses pickled code
    twin = keras.saving.load_model(twin_path, compile=False)
    torch_cnn_to_keras(model.eval(), twin)
    twin.save_weights(out_path)


def keras_to_torch(model_path: Path, factory: str, out_path: Path) -> None:
    import keras
    import torch
    from port_weights import keras_model_to_torch

    source = keras.saving.load_model(model_path, compile=False)
    model = load_factory(factory)()
    keras_model_to_torch(source, model)
    torch.save(model.state_dict(), out_path)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    to_keras = commands.add_parser("torch-to-keras", help="a Conv2d/BatchNorm2d/Linear nn.Sequential to Keras")
    to_keras.add_argument("state", type=Path)
    to_keras.add_argument("factory")
    to_keras.add_argument("twin", type=Path)
    to_keras.add_argument("out", type=Path)
    to_torch = commands.add_parser("keras-to-torch", help="a Keras model of LSTM, GRU and Dense layers to PyTorch")
    to_torch.add_argument("model", type=Path)
    to_torch.add_argument("factory")
    to_torch.add_argument("out", type=Path)
    args = parser.parse_args(argv)
    for given in [args.state, args.twin] if args.command == "torch-to-keras" else [args.model]:
        if not given.is_file():
            raise SystemExit(f"{given}: no such file")
    if args.command == "torch-to-keras":
        torch_to_keras(args.state, args.factory, args.twin, args.out)
    else:
        keras_to_torch(args.model, args.factory, args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
