"""Rendered manifests are cached per run (`manifests.render`); nothing here needs a cluster."""

from __future__ import annotations

import functools

from kubernetes_validate import utils as kv_utils

# kubernetes-validate re-reads its 1.5 MB definitions file for every object it checks; the file is
# read-only package data, so reading it once per run keeps these tests at a few seconds.
if hasattr(kv_utils, "schema_contents"):
    kv_utils.schema_contents = functools.cache(kv_utils.schema_contents)
