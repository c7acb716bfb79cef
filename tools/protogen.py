"""Generates Python modules, type stubs and the descriptor set Envoy needs from `protos/`.

protovalidate's wheel carries `buf/validate/validate.proto` only as an embedded descriptor, and the
BSR is out of reach here, so the descriptor is lifted from the installed wheel and handed to protoc
with `--descriptor_set_in`. Nothing generated is committed: `make protos` writes to `gen/`.
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import shutil
import tempfile
from pathlib import Path

from google.protobuf import descriptor_pb2
from grpc_tools import protoc

ROOT = Path(__file__).resolve().parent.parent
VALIDATE_MODULE = "protovalidate._gen.buf.validate.validate_pb"
ERROR_DETAIL_PROTOS = ("google/rpc/status.proto", "google/rpc/error_details.proto")


def validate_descriptor() -> descriptor_pb2.FileDescriptorProto:
    """The FileDescriptorProto of buf/validate/validate.proto, from the protovalidate wheel."""
    spec = importlib.util.find_spec(VALIDATE_MODULE)
    if spec is None or spec.origin is None:
        raise SystemExit("protovalidate is not installed: run `make install`")
    tree = ast.parse(Path(spec.origin).read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "file_desc":
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, bytes):
                return descriptor_pb2.FileDescriptorProto.FromString(arg.value)
    raise SystemExit(f"no embedded descriptor found in {spec.origin}")


def include_paths() -> list[Path]:
    """protos/, googleapis-common-protos (google/api/*.proto) and protoc's well-known types."""
    import google.api

    google_api_root = Path(next(iter(google.api.__path__))).parent.parent
    well_known = Path(protoc.__file__).parent / "_proto"
    return [ROOT / "protos", google_api_root, well_known]


def run_protoc(args: list[str]) -> None:
    code = protoc.main(["grpc_tools.protoc", *args])
    if code != 0:
        raise SystemExit(f"protoc failed ({code}): {' '.join(args)}")


def generate(out: Path) -> None:
    """Generate into a fresh directory and swap it in only when protoc succeeded, so a broken
    proto never leaves `gen/` half-empty under running processes."""
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".gen-", dir=out))
    try:
        _generate_into(staging)
        for name in ("python", "storeops.binpb", "deps.binpb"):
            target = out / name
            old = out / f".old-{name}"
            if target.exists():
                target.rename(old)
            (staging / name).rename(target)
            if old.is_dir():
                shutil.rmtree(old)
            elif old.exists():
                old.unlink()
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    print(f"generated protos into {out}")


def _generate_into(out: Path) -> None:
    python_out = out / "python"
    python_out.mkdir(parents=True)
    deps = out / "deps.binpb"
    deps.write_bytes(
        descriptor_pb2.FileDescriptorSet(file=[validate_descriptor()]).SerializeToString()
    )
    includes = [f"-I{p}" for p in include_paths()]
    sources = sorted(
        str(p.relative_to(ROOT / "protos")) for p in (ROOT / "protos").rglob("*.proto")
    )
    run_protoc(
        [
            *includes,
            f"--descriptor_set_in={deps}",
            f"--python_out={python_out}",
            f"--pyi_out={python_out}",
            f"--grpc_python_out={python_out}",
            *sources,
        ]
    )
    # Envoy's descriptor set also carries the error detail types, so the transcoder can turn
    # `grpc-status-details-bin` (ErrorInfo, BadRequest) into a JSON google.rpc.Status body.
    run_protoc(
        [
            *includes,
            f"--descriptor_set_in={deps}",
            f"--descriptor_set_out={out / 'storeops.binpb'}",
            "--include_imports",
            "--include_source_info",
            *sources,
            *ERROR_DETAIL_PROTOS,
        ]
    )
    # The generated modules import buf.validate.validate_pb2: generate it from the same descriptor.
    run_protoc(
        [
            *includes,
            f"--descriptor_set_in={deps}",
            f"--python_out={python_out}",
            f"--pyi_out={python_out}",
            "buf/validate/validate.proto",
        ]
    )
    for package_dir in [p for p in python_out.rglob("*") if p.is_dir()]:
        (package_dir / "__init__.py").touch()
    (python_out / "py.typed").touch()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "gen")
    generate(parser.parse_args(argv).out)


if __name__ == "__main__":
    main()
