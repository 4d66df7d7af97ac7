"""Drive Signbook with Microsoft's own Python Graph SDKs, changed only in base URL and token.

Run:  python sdk_check.py   (versions pinned in requirements.txt beside this file)

Environment:
  SIGNBOOK_URL            base URL, e.g. http://127.0.0.1:8080 (no trailing path)
  SIGNBOOK_TENANT         tenant id (GUID or domain) used in the token endpoint path
  SIGNBOOK_CLIENT_ID      app registration's client id
  SIGNBOOK_CLIENT_SECRET  its secret
  SIGNBOOK_FILTER         OData $filter for the v1.0 listing, e.g. "status/errorCode ne 0"
                          (empty: no $filter sent)
  SIGNBOOK_TOP            page size, 1..1000
  SIGNBOOK_AGGREGATION    h1 | h6 | d1 (default d1)
  SIGNBOOK_CREDENTIAL     msal (default) | plain   -- see "Credential" below

Prints one JSON object on stdout and exits 0; on any failure prints the error on stderr
and exits 1:
  {"v1": {"ids": [...], "pages": n},
   "by_id": {"id": ..., "userPrincipalName": ...},
   "beta_noninteractive": {"ids": [...], "pages": n},
   "summarized": {"items": n, "signInCount": n, "pages": n} | {"skipped": "why"},
   "wrong_secret_error": "..."}

Credential (SIGNBOOK_CREDENTIAL=msal, the default): the real
azure.identity.ClientSecretCredential, i.e. real MSAL, with
  authority="https://<SIGNBOOK host:port>", disable_instance_discovery=True,
  transport=_LoopbackHttpTransport.
Neither azure-identity nor MSAL accepts an http:// authority: azure-identity's
normalize_authority() raises "must be a TLS protected (https) URL", and MSAL's
authority.canonicalize() raises unless the scheme is https, for the authority *and* for the
token_endpoint read from the openid-configuration. So the credential is given the https form
of SIGNBOOK_URL, and the only non-stock piece is an azure-core transport (the documented
`transport=` keyword) that, when SIGNBOOK_URL is plain http on a loopback host, sends
requests for https://<that host:port>/... as http://<that host:port>/... and refuses every
other host (so nothing can leak to login.microsoftonline.com). MSAL itself runs unmodified:
tenant discovery (GET {tenant}/v2.0/.well-known/openid-configuration), then the
client-credentials POST to the advertised token_endpoint, which therefore must be
https://<same host:port>/{tenant}/oauth2/v2.0/token. If SIGNBOOK_URL is https, no rewriting
happens at all.
SIGNBOOK_CREDENTIAL=plain instead uses _PlainTokenCredential below, a minimal
azure.core TokenCredential that POSTs the client-credentials form straight to
SIGNBOOK_URL/{tenant}/oauth2/v2.0/token (no discovery): a fallback for when the
openid-configuration is not served.

Graph side: the stock msgraph.GraphServiceClient / msgraph_beta.GraphServiceClient built on
their own GraphRequestAdapter, with request_adapter.base_url = SIGNBOOK_URL + "/v1.0" (or
"/beta") and kiota's AzureIdentityAuthenticationProvider with
scopes=["https://graph.microsoft.com/.default"] (otherwise kiota would ask for a scope
derived from the request host, "http://127.0.0.1/.default") and allowed_hosts=[SIGNBOOK
host] (the bearer token is attached only to that host). kiota attaches tokens over plain
http only when the host is localhost, 127.0.0.1, ::1 or [::1]
(AzureIdentityAccessTokenProvider.LOCALHOST_STRINGS); any other http host raises
"Only https is supported".
"""
import asyncio
import json
import logging
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

from azure.core.credentials import AccessToken
from azure.core.exceptions import ClientAuthenticationError, ServiceRequestError
from azure.core.pipeline.transport import RequestsTransport
from azure.identity import ClientSecretCredential
from kiota_abstractions.base_request_configuration import RequestConfiguration
from kiota_authentication_azure.azure_identity_authentication_provider import (
    AzureIdentityAuthenticationProvider,
)

import msgraph
import msgraph_beta
from msgraph.graph_request_adapter import GraphRequestAdapter as V1RequestAdapter
from msgraph.generated.audit_logs.sign_ins.sign_ins_request_builder import (
    SignInsRequestBuilder as V1SignIns,
)
from msgraph_beta.graph_request_adapter import GraphRequestAdapter as BetaRequestAdapter
from msgraph_beta.generated.audit_logs.sign_ins.sign_ins_request_builder import (
    SignInsRequestBuilder as BetaSignIns,
)

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
LOOPBACK = {"localhost", "127.0.0.1", "::1"}
MAX_PAGES = 100_000


class CheckFailed(Exception):
    pass


def env(name, default=None):
    value = os.environ.get(name, default)
    if value is None:
        raise CheckFailed(f"environment variable {name} is not set")
    return value


class _LoopbackHttpTransport(RequestsTransport):
    """azure-core transport for a plain-http Signbook on loopback.

    Sends https://<host:port>/... of that one host as http://<host:port>/...; refuses all
    other URLs, so MSAL can reach nothing but Signbook."""

    def __init__(self, netloc, downgrade, **kwargs):
        super().__init__(**kwargs)
        self._netloc = netloc.lower()
        self._downgrade = downgrade

    def send(self, request, **kwargs):
        parts = urllib.parse.urlsplit(request.url)
        allowed = ("https", "http") if self._downgrade else ("https",)
        if parts.netloc.lower() != self._netloc or parts.scheme not in allowed:
            raise ServiceRequestError(f"sdk_check: refusing to contact {request.url}")
        if self._downgrade and parts.scheme == "https":  # (a retry sees it already downgraded)
            request.url = urllib.parse.urlunsplit(("http",) + tuple(parts)[1:])
        return super().send(request, **kwargs)


class _PlainTokenCredential:
    """Minimal azure.core TokenCredential: client-credentials POST to Signbook's token endpoint."""

    def __init__(self, base, tenant, client_id, secret):
        self._url = f"{base}/{urllib.parse.quote(tenant, safe='')}/oauth2/v2.0/token"
        self._form = {"grant_type": "client_credentials", "client_id": client_id,
                      "client_secret": secret}
        self._cached = None

    def get_token(self, *scopes, claims=None, tenant_id=None, enable_cae=False, **kwargs):
        if self._cached and self._cached.expires_on - 300 > time.time():
            return self._cached
        body = urllib.parse.urlencode({**self._form, "scope": " ".join(scopes)}).encode()
        req = urllib.request.Request(self._url, data=body, method="POST", headers={
            "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                payload = json.loads(resp.read())
        except urllib.error.HTTPError as e:
            raw = e.read().decode("utf-8", "replace")
            try:
                err = json.loads(raw)
                detail = err.get("error_description") or err.get("error") or raw
            except ValueError:
                detail = raw
            raise ClientAuthenticationError(message=f"Authentication failed: {detail}") from None
        self._cached = AccessToken(payload["access_token"], int(time.time()) + int(payload["expires_in"]))
        return self._cached

    def close(self):
        pass


def make_credential(cfg, secret):
    if cfg["credential"] == "plain":
        return _PlainTokenCredential(cfg["base"], cfg["tenant"], cfg["client_id"], secret)
    transport = _LoopbackHttpTransport(cfg["netloc"], downgrade=cfg["scheme"] == "http")
    return ClientSecretCredential(
        cfg["tenant"], cfg["client_id"], secret,
        authority=f"https://{cfg['netloc']}",
        disable_instance_discovery=True,
        transport=transport,
    )


def make_clients(cfg, credential):
    def auth():
        return AzureIdentityAuthenticationProvider(
            credential, scopes=[GRAPH_SCOPE], allowed_hosts=[cfg["hostname"]])

    v1_adapter = V1RequestAdapter(auth())
    v1_adapter.base_url = f"{cfg['base']}/v1.0"
    beta_adapter = BetaRequestAdapter(auth())
    beta_adapter.base_url = f"{cfg['base']}/beta"
    return (msgraph.GraphServiceClient(request_adapter=v1_adapter),
            msgraph_beta.GraphServiceClient(request_adapter=beta_adapter))


async def collect(builder, first_config, what):
    """GET builder with first_config, then follow every @odata.nextLink via builder.with_url."""
    page = await builder.get(request_configuration=first_config)
    items, pages, seen_links = [], 0, set()
    while page is not None:
        pages += 1
        items.extend(page.value or [])
        link = page.odata_next_link
        if not link:
            break
        if link in seen_links or pages >= MAX_PAGES:
            raise CheckFailed(f"{what}: nextLink loops ({link})")
        seen_links.add(link)
        page = await builder.with_url(link).get()
    if page is None:
        raise CheckFailed(f"{what}: page {pages + 1} parsed as nothing (empty body or "
                          "Content-Type not application/json?)")
    return items, pages


def ids_of(items, what, unique=True):
    ids = [item.id for item in items]
    if any(not i for i in ids):
        raise CheckFailed(f"{what}: an item has no id")
    if unique and len(set(ids)) != len(ids):
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        raise CheckFailed(f"{what}: ids repeat across pages: {dupes}")
    return ids


async def run(cfg):
    credential = make_credential(cfg, cfg["secret"])
    v1, beta = make_clients(cfg, credential)
    out = {}

    # a. v1.0 list with $filter and $top, following every nextLink
    query = V1SignIns.SignInsRequestBuilderGetQueryParameters(
        filter=cfg["filter"] or None, top=cfg["top"])
    items, pages = await collect(v1.audit_logs.sign_ins, RequestConfiguration(query_parameters=query),
                                 "v1.0 signIns")
    out["v1"] = {"ids": ids_of(items, "v1.0 signIns"), "pages": pages}

    # b. v1.0 get by id
    if not items:
        raise CheckFailed("v1.0 signIns: the listing is empty, nothing to get by id")
    first = items[0]
    one = await v1.audit_logs.sign_ins.by_sign_in_id(first.id).get()
    if one is None or one.id != first.id or one.user_principal_name != first.user_principal_name:
        got = None if one is None else (one.id, one.user_principal_name)
        raise CheckFailed(f"v1.0 signIns/{first.id}: got {got}, listing had "
                          f"{(first.id, first.user_principal_name)}")
    out["by_id"] = {"id": one.id, "userPrincipalName": one.user_principal_name}

    # c. beta list of non-interactive sign-ins
    bquery = BetaSignIns.SignInsRequestBuilderGetQueryParameters(
        filter="signInEventTypes/any(t: t eq 'nonInteractiveUser')", top=cfg["top"])
    bitems, bpages = await collect(beta.audit_logs.sign_ins, RequestConfiguration(query_parameters=bquery),
                                   "beta signIns")
    for item in bitems:
        if "nonInteractiveUser" not in (item.sign_in_event_types or []):
            raise CheckFailed(f"beta signIns: {item.id} has signInEventTypes {item.sign_in_event_types}")
    out["beta_noninteractive"] = {"ids": ids_of(bitems, "beta signIns"), "pages": bpages}

    # d. beta getSummarizedNonInteractiveSignIns(aggregationWindow='…')
    audit = beta.audit_logs
    name = "get_summarized_non_interactive_sign_ins_with_aggregation_window"
    if hasattr(audit, name):
        sbuilder = getattr(audit, name)(cfg["aggregation"])
        sitems, spages = await collect(sbuilder, None, "beta getSummarizedNonInteractiveSignIns")
        counts = [s.sign_in_count for s in sitems]
        if any(not isinstance(c, int) for c in counts):
            raise CheckFailed(f"getSummarizedNonInteractiveSignIns: non-integer signInCount in {counts}")
        out["summarized"] = {"items": len(sitems), "signInCount": sum(counts), "pages": spages}
    else:
        out["summarized"] = {"skipped": f"msgraph-beta-sdk {msgraph_beta._version.VERSION} "
                                        f"has no AuditLogsRequestBuilder.{name}"}

    # e. wrong secret: getting a token must fail
    wrong = make_credential(cfg, cfg["secret"] + "-wrong")
    # azure-identity logs the expected failure at WARNING; keep stderr for real failures.
    logging.getLogger("azure.identity").setLevel(logging.ERROR)
    try:
        wrong.get_token(GRAPH_SCOPE)
    except ClientAuthenticationError as e:
        out["wrong_secret_error"] = e.message if getattr(e, "message", None) else str(e)
    else:
        raise CheckFailed("a token was issued for a wrong client secret")
    finally:
        wrong.close()
    credential.close()
    return out


def config():
    base = env("SIGNBOOK_URL").rstrip("/")
    parts = urllib.parse.urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
        raise CheckFailed(f"SIGNBOOK_URL must be http(s)://host[:port], got {base!r}")
    if parts.scheme == "http" and parts.hostname not in LOOPBACK:
        raise CheckFailed("plain http works only on localhost/127.0.0.1/[::1] "
                          "(kiota refuses to send a token over http elsewhere)")
    top = int(env("SIGNBOOK_TOP"))
    if not 1 <= top <= 1000:
        raise CheckFailed("SIGNBOOK_TOP must be 1..1000")
    aggregation = env("SIGNBOOK_AGGREGATION", "d1")
    if aggregation not in ("h1", "h6", "d1"):
        raise CheckFailed("SIGNBOOK_AGGREGATION must be h1, h6 or d1")
    credential = env("SIGNBOOK_CREDENTIAL", "msal")
    if credential not in ("msal", "plain"):
        raise CheckFailed("SIGNBOOK_CREDENTIAL must be msal or plain")
    if parts.hostname in LOOPBACK:
        # Never send loopback traffic through a proxy from the environment.
        for var in ("NO_PROXY", "no_proxy"):
            os.environ[var] = ",".join(filter(None, [os.environ.get(var), "localhost,127.0.0.1,::1"]))
    return {
        "base": base, "scheme": parts.scheme, "netloc": parts.netloc, "hostname": parts.hostname,
        "tenant": env("SIGNBOOK_TENANT"), "client_id": env("SIGNBOOK_CLIENT_ID"),
        "secret": env("SIGNBOOK_CLIENT_SECRET"), "filter": env("SIGNBOOK_FILTER", ""),
        "top": top, "aggregation": aggregation, "credential": credential,
    }


def describe(exc):
    error = getattr(exc, "error", None)  # msgraph ODataError
    if error is not None and getattr(error, "code", None) is not None:
        return (f"{type(exc).__name__} HTTP {getattr(exc, 'response_status_code', '?')}: "
                f"{error.code}: {error.message}")
    return f"{type(exc).__name__}: {exc}"


def main():
    try:
        result = asyncio.run(run(config()))
    except Exception as exc:  # noqa: BLE001 -- any failure is a failed check
        print(f"sdk_check: FAILED: {describe(exc)}", file=sys.stderr)
        if os.environ.get("SIGNBOOK_TRACEBACK"):
            import traceback
            traceback.print_exc()
        return 1
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
