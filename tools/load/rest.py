"""Scenario 5: PlaceOrder over REST/JSON through the gateway, driven by wrk (a compiled client;
Debian's package, installed on demand) with a Lua script that makes every order unique."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

from tools.load.stats import Result

LUA = r"""
local run_id = "%(run)s"
local skus = %(skus)d
local token = "%(token)s"
local threads = {}
local counter = 0
local thread_id = 0

function setup(thread)
  thread_id = thread_id + 1
  thread:set("tid", thread_id)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(tid * 7919)
  statuses = {}
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"channel":"OWN_SHOP","externalOrderId":"LTR-%%s-%%d-%%d","customer":{"name":"Load Test","phone":"13800000000","address":"1 Test Road"},"lines":[{"skuCode":"LOAD-%%05d","quantity":1,"unitPrice":{"currencyCode":"CNY","amountMinor":1990}}],"paid":true}',
    run_id, tid, counter, math.random(0, skus - 1))
  return wrk.format("POST", "/v1/orders", {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local codes = {}
  for _, thread in ipairs(threads) do
    local s = thread:get("statuses")
    for code, n in pairs(s) do codes[tostring(code)] = (codes[tostring(code)] or 0) + n end
  end
  local parts = {}
  for code, n in pairs(codes) do table.insert(parts, string.format('"%%s":%%d', code, n)) end
  io.write(string.format(
    'WRKJSON {"requests":%%d,"seconds":%%f,"p50":%%f,"p95":%%f,"p99":%%f,"max":%%f,"socket_errors":%%d,"codes":{%%s}}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    table.concat(parts, ",")))
end
"""


def ensure_wrk() -> str | None:
    found = shutil.which("wrk")
    if found:
        return found
    installer = shutil.which("apt-get")
    if installer is None:
        return None
    subprocess.run([installer, "install", "-y", "-qq", "wrk"], capture_output=True, check=False)
    return shutil.which("wrk")


def run_wrk(
    base_url: str, token: str, skus: int, run_id: str, connections: int, seconds: int
) -> Result | str:
    wrk = ensure_wrk()
    if wrk is None:
        return "wrk is not installed and could not be installed (needs apt-get as root)"
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA % {"run": run_id, "skus": skus, "token": token})
    try:
        result = subprocess.run(
            [
                wrk,
                "-t",
                "2",
                "-c",
                str(connections),
                "-d",
                f"{seconds}s",
                "--timeout",
                "30s",
                "-s",
                script.name,
                base_url,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        Path(script.name).unlink(missing_ok=True)
    line = next((ln for ln in result.stdout.splitlines() if ln.startswith("WRKJSON ")), None)
    if line is None:
        return f"wrk failed: {result.stdout[-500:]} {result.stderr[-500:]}"
    data = json.loads(line.removeprefix("WRKJSON "))
    codes = {("OK" if code == "200" else f"HTTP_{code}"): n for code, n in data["codes"].items()}
    if data["socket_errors"]:
        codes["SOCKET_ERROR"] = data["socket_errors"]
    return Result(
        name="5 PlaceOrder REST (wrk)",
        requests=data["requests"],
        seconds=data["seconds"],
        codes=codes,
        p50=data["p50"],
        p95=data["p95"],
        p99=data["p99"],
        max=data["max"],
    )
