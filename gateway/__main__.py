"""`python -m gateway render --target local|kubernetes [--out FILE]`: write the Envoy config."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

from gateway import topology
from gateway.catalog import load_catalog
from gateway.envoy_config import build_config

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m gateway")
    sub = parser.add_subparsers(dest="command", required=True)
    render = sub.add_parser("render", help="write the Envoy config")
    render.add_argument("--target", choices=["local", "kubernetes"], default="local")
    render.add_argument("--namespace", default="storeops")
    render.add_argument("--descriptors", type=Path, default=ROOT / "gen" / "storeops.binpb")
    render.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    catalog = load_catalog(args.descriptors)
    if args.target == "local":
        topo = topology.local(descriptor_path=str(args.descriptors))
    else:
        topo = topology.kubernetes(args.namespace)
    text = yaml.safe_dump(build_config(catalog, topo), sort_keys=False)
    if args.out:
        args.out.write_text(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
