"""Reading C2PA Content Credentials from an upload, offline, into a status and a small summary.

The reader is the Content Authenticity Initiative's SDK (c2pa-python, a binding to c2pa-rs). It
runs on the ORIGINAL upload: our transcode and image re-encode strip every manifest. Nothing here
may touch the network: remote manifests, OCSP and every other fetch are switched off, so a file
that only points to credentials stored elsewhere counts as having none embedded.

How the SDK's answer maps onto ProvenanceStatus (the curator page explains each in plain words):

- no manifest in the file (`Reader.try_create` returns None)        -> ABSENT
- a format C2PA defines no embedding for (WebM, Matroska)          -> ABSENT, `format_supported`
  False
- only a reference to a remote manifest, which we never fetch      -> ABSENT, `remote_url`
- validation_state "Trusted": intact, signer chains to an anchor   -> VALID, `trusted` True
- validation_state "Valid": intact, but the signer is on no trust  -> VALID, `trusted` False
  list we hold (a self-signed or unknown certificate). The bytes are what was signed; who signed
  is unvouched. That is still worth showing, and the page says so.
- validation_state "Invalid" (hash mismatch, bad signature, ...)    -> INVALID, `errors`
- the SDK refusing the manifest (undecodable claim, ...) or any     -> INVALID, `reason`
  other reader failure
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import c2pa
from django.conf import settings

from media_library.choices import ProvenanceStatus

logger = logging.getLogger(__name__)

# The summary is kept small: it lives in a JSON column shown on one page.
MAX_TEXT = 200
MAX_ACTIONS = 10
MAX_INGREDIENTS = 5
MAX_ERRORS = 8
UNTRUSTED_CODE = "signingCredential.untrusted"

# The SDK reads; it never reaches out. allowed_network_hosts = [] is the SDK's own switch for
# "no host at all", on top of the two fetches verification would otherwise make.
OFFLINE_SETTINGS: dict[str, Any] = {
    "verify": {"remote_manifest_fetch": False, "ocsp_fetch": False},
    "core": {"allowed_network_hosts": []},
}


@dataclass
class Provenance:
    """What the credentials reader found: a status for the clip and a summary to show."""

    status: ProvenanceStatus
    summary: dict[str, Any] = field(default_factory=dict)


def reader_context() -> c2pa.Context:
    """The SDK's settings for reading: offline, with any trust anchors the site configured.

    C2PA_TRUST_ANCHORS_FILE (a PEM bundle, e.g. the C2PA trust list) adds root certificates;
    without it no signer is trusted and intact credentials read as VALID but untrusted.
    """
    options: dict[str, Any] = json.loads(json.dumps(OFFLINE_SETTINGS))
    anchors_file = settings.C2PA_TRUST_ANCHORS_FILE
    if anchors_file:
        options["trust"] = {"user_anchors": Path(anchors_file).read_text()}
    return c2pa.Context.from_dict(options)


def read_provenance(path: Path) -> Provenance:
    """Read the Content Credentials of the file at `path`. Never raises for a bad file."""
    try:
        with open(path, "rb") as handle:
            return _read(handle)
    except Exception as error:  # A reader failure must never fail processing.
        logger.warning("Reading Content Credentials of %s failed: %s", path, error)
        return Provenance(ProvenanceStatus.INVALID, _base({"reason": _text(error)}))


def _read(stream) -> Provenance:
    try:
        # No format: the SDK detects the container from the bytes, never from a file name.
        reader = c2pa.Reader.try_create(None, stream, context=reader_context())
    except c2pa.C2paError.NotSupported:
        return Provenance(ProvenanceStatus.ABSENT, _base({"format_supported": False}))
    except c2pa.C2paError as error:
        remote_url = _remote_url(error)
        if remote_url is not None:
            return Provenance(ProvenanceStatus.ABSENT, _base({"remote_url": remote_url}))
        return Provenance(ProvenanceStatus.INVALID, _base({"reason": _text(error)}))
    if reader is None:
        return Provenance(ProvenanceStatus.ABSENT, _base({}))
    with reader:
        return _from_store(json.loads(reader.json()))


def _remote_url(error: Exception) -> str | None:
    """The URL of a remote manifest the SDK declined to fetch, when that is the error."""
    message = str(error)
    # The native library says "Remote: must fetch remote manifests from url <url>" (raised as the
    # base C2paError in 0.38) or, in other versions, "RemoteManifest: ...".
    if isinstance(error, c2pa.C2paError.RemoteManifest) or message.startswith("Remote:"):
        return _text(message.rsplit(" ", 1)[-1])
    return None


def _from_store(store: dict[str, Any]) -> Provenance:
    state = store.get("validation_state")
    results = (store.get("validation_results") or {}).get("activeManifest") or {}
    failures = results.get("failure") or []
    manifest = (store.get("manifests") or {}).get(store.get("active_manifest") or "") or {}
    summary = _base(_describe(manifest))
    summary["validation_state"] = _text(state or "")
    summary["manifest_count"] = len(store.get("manifests") or {})
    summary["trusted"] = state == "Trusted"
    if state in ("Trusted", "Valid"):
        summary["notes"] = [_issue(f) for f in failures[:MAX_ERRORS]]
        return Provenance(ProvenanceStatus.VALID, summary)
    # The real problems first: "untrusted" alone never makes credentials invalid.
    failures = sorted(failures, key=lambda f: f.get("code") == UNTRUSTED_CODE)
    summary["errors"] = [_issue(f) for f in failures[:MAX_ERRORS]]
    if state != "Invalid":
        summary["reason"] = _text(f"Unknown validation state: {state!r}")
    return Provenance(ProvenanceStatus.INVALID, summary)


def _describe(manifest: dict[str, Any]) -> dict[str, Any]:
    signature = manifest.get("signature_info") or {}
    return {
        "claim_generator": _generator(manifest),
        "title": _text(manifest.get("title") or ""),
        "signer": _text(signature.get("common_name") or ""),
        "issuer": _text(signature.get("issuer") or ""),
        "signed_at": _text(signature.get("time") or ""),
        "actions": _actions(manifest),
        "ingredients": [
            {
                "title": _text(ingredient.get("title") or ""),
                "relationship": _text(ingredient.get("relationship") or ""),
            }
            for ingredient in (manifest.get("ingredients") or [])[:MAX_INGREDIENTS]
        ],
    }


def _generator(manifest: dict[str, Any]) -> str:
    infos = manifest.get("claim_generator_info") or []
    if infos and isinstance(infos[0], dict):
        name, version = infos[0].get("name") or "", infos[0].get("version") or ""
        return _text(f"{name} {version}".strip())
    return _text(manifest.get("claim_generator") or "")


def _actions(manifest: dict[str, Any]) -> list[dict[str, str]]:
    actions = []
    for assertion in manifest.get("assertions") or []:
        if not str(assertion.get("label", "")).startswith("c2pa.actions"):
            continue
        for action in (assertion.get("data") or {}).get("actions") or []:
            source = str(action.get("digitalSourceType") or "")
            actions.append(
                {
                    "action": _text(action.get("action") or ""),
                    # IPTC's term, e.g. "trainedAlgorithmicMedia" for generative AI output.
                    "source_type": _text(source.rsplit("/", 1)[-1]),
                }
            )
    return actions[:MAX_ACTIONS]


def _issue(failure: dict[str, Any]) -> dict[str, str]:
    return {
        "code": _text(failure.get("code") or ""),
        "explanation": _text(failure.get("explanation") or ""),
    }


def _base(details: dict[str, Any]) -> dict[str, Any]:
    return {**details, "reader": f"c2pa-python {c2pa.__version__}"}


def _text(value: object) -> str:
    return str(value)[:MAX_TEXT]
