"""OpenID providers for the sign-in tests, each on a free loopback port.

`RealProvider`: panva's certified oidc-provider on Node (tests/oidc_provider/server.mjs),
with test users and their groups in a JSON file the test may rewrite between sign-ins,
and `sign_in_at_provider`, which does what a person does at its (development) sign-in
screen, over HTTP.

`RogueProvider`: not a real provider, and on purpose. The certified one never signs a
token with the wrong key, for the wrong audience, with `alg: none`, and so on; this small
server answers discovery, keys and the token endpoint with whatever token (or garbage)
the test tells it to, so each of the CMS's refusals can be checked on its own.
"""

import base64
import json
import os
import re
import subprocess
import threading
import time
from html import unescape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import jwt
import requests
from cryptography.hazmat.primitives.asymmetric import rsa

PROVIDER_DIR = Path(__file__).resolve().parents[1] / "oidc_provider"
CLIENT_ID = "southwark-cms"
CLIENT_SECRET = "a-test-client-secret-of-forty-characters!"
GROUP_ROLES = {
    "cms-editors": "Editors",
    "cms-moderators": "Moderators",
    "cms-admins": "Administrators",
}
START_SECONDS = 30


def provider_missing():
    """What the real provider needs that this machine lacks, or None."""
    if not (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
        return "oidc-provider (`make install-dev` runs npm ci in tests/oidc_provider)"
    if not any((Path(p) / "node").exists() for p in os.environ.get("PATH", "").split(":")):
        return "Node"
    return None


def use_provider(settings, issuer, client_id=CLIENT_ID):
    """Single sign-on on, with this provider and the test mapping."""
    settings.SSO_ENABLED = True
    settings.SSO_ISSUER = issuer
    settings.OIDC_RP_CLIENT_ID = client_id
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_RP_SCOPES = "openid email profile groups"
    settings.SSO_GROUP_ROLES = GROUP_ROLES
    settings.SSO_GROUPS_CLAIM = "groups"


class RealProvider:
    def __init__(self, directory, redirect_uris, post_logout_redirect_uris):
        self.directory = Path(directory)
        self.accounts_path = self.directory / "accounts.json"
        self.config_path = self.directory / "config.json"
        self.log_path = self.directory / "provider.log"
        self.redirect_uris = redirect_uris
        self.post_logout_redirect_uris = post_logout_redirect_uris
        self.accounts = {}

    def set_account(self, login, groups, email=None, name=None):
        self.accounts[login] = {
            "email": email or f"{login}@southwark.example",
            "name": name or login.title(),
            "groups": groups,
        }
        self.accounts_path.write_text(json.dumps(self.accounts))

    def __enter__(self):
        self.accounts_path.write_text("{}")
        self.config_path.write_text(
            json.dumps(
                {
                    "client_id": CLIENT_ID,
                    "client_secret": CLIENT_SECRET,
                    "redirect_uris": self.redirect_uris,
                    "post_logout_redirect_uris": self.post_logout_redirect_uris,
                    "accounts": str(self.accounts_path),
                }
            )
        )
        self.log = self.log_path.open("w")
        self.process = subprocess.Popen(  # noqa: S603
            ["node", str(PROVIDER_DIR / "server.mjs"), str(self.config_path)],  # noqa: S607
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
        )
        line = self.process.stdout.readline()  # the issuer, once it answers
        if not line:
            self.stop()
            raise RuntimeError(f"The OpenID provider did not start: {self.log_path.read_text()}")
        self.issuer = json.loads(line)["issuer"]
        return self

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover (a provider that hangs)
            self.process.kill()
            self.process.wait()
        self.log.close()

    def __exit__(self, *exc):
        self.stop()


FORM_ACTION = re.compile(r'<form[^>]*action="([^"]+)"', re.IGNORECASE)


def sign_in_at_provider(authorize_url, login, password="any-password"):  # noqa: S107
    """What a person does at the provider's sign-in screen: from the authorisation URL
    the CMS sent them to, to the URL the provider sends them back to (returned, not
    followed: it is the CMS's, which the test calls through its own client)."""
    browser = requests.Session()
    response = browser.get(authorize_url, allow_redirects=False, timeout=10)
    for _ in range(10):
        location = response.headers.get("Location")
        if location is None:
            action = unescape(FORM_ACTION.search(response.text)[1])
            response = browser.post(
                urljoin(response.url, action),
                data={"prompt": "login", "login": login, "password": password},
                allow_redirects=False,
                timeout=10,
            )
            continue
        location = urljoin(response.url, location)
        if "code=" in location or "error=" in location:
            return location
        response = browser.get(location, allow_redirects=False, timeout=10)
    raise AssertionError(f"The provider never sent the browser back: {response.text[:500]}")


# The rogue provider ------------------------------------------------------------------------


def new_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_jwk(key, kid):
    numbers = key.public_key().public_numbers()

    def b64(number):
        raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    return {
        "kty": "RSA",
        "kid": kid,
        "use": "sig",
        "alg": "RS256",
        "n": b64(numbers.n),
        "e": b64(numbers.e),
    }


class RogueProvider:
    """Discovery, keys and a token endpoint that answer as the test says. `token_answer`
    is called with the nonce the CMS sent and returns (status, content type, body)."""

    def __init__(self):
        self.key = new_key()
        self.kid = "rogue-1"
        self.token_answer = None
        self.nonce = None
        self.overrides = {}  # path -> (status, content type, body): garbage on demand

    def __enter__(self):
        rogue = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def answer(self, status, content_type, body):
                body = body if isinstance(body, bytes) else body.encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):  # noqa: N802
                path = urlsplit(self.path).path
                if path in rogue.overrides:
                    return self.answer(*rogue.overrides[path])
                if path == "/.well-known/openid-configuration":
                    return self.answer(200, "application/json", json.dumps(rogue.discovery()))
                if path == "/jwks":
                    keys = {"keys": [public_jwk(rogue.key, rogue.kid)]}
                    return self.answer(200, "application/json", json.dumps(keys))
                return self.answer(404, "text/plain", "not found")

            def do_POST(self):  # noqa: N802
                path = urlsplit(self.path).path
                length = int(self.headers.get("Content-Length", "0"))
                self.rfile.read(length)
                if path in rogue.overrides:
                    return self.answer(*rogue.overrides[path])
                return self.answer(*rogue.token_answer(rogue.nonce))

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def discovery(self):
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/auth",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
        }

    def claims(self, nonce, **changes):
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "sub": "rogue-user",
            "preferred_username": "rogue.user",
            "email": "rogue.user@southwark.example",
            "groups": ["cms-editors"],
            "nonce": nonce,
            "iat": now,
            "exp": now + 300,
        }
        claims.update(changes)
        return {name: value for name, value in claims.items() if value is not None}

    def sign(self, claims, key=None, algorithm="RS256", kid=None):
        return jwt.encode(
            claims, key or self.key, algorithm=algorithm, headers={"kid": kid or self.kid}
        )

    def answer_with(self, make_token):
        """The token endpoint answers with `make_token(nonce)` as the ID token."""

        def answer(nonce):
            body = {
                "access_token": "an-access-token",
                "token_type": "Bearer",
                "id_token": make_token(nonce),
            }
            return 200, "application/json", json.dumps(body)

        self.token_answer = answer


def start_sign_in(client, next_url=None):
    """The CMS's first step, as a browser takes it: returns the authorisation URL's
    query (state, nonce, code_challenge, ...)."""
    url = "/admin/sso/start/" + (f"?next={next_url}" if next_url else "")
    response = client.get(url)
    assert response.status_code == 302, response.content
    return response["Location"], {
        name: values[0] for name, values in parse_qs(urlsplit(response["Location"]).query).items()
    }


def callback_path(location):
    """The CMS's callback, from the absolute URL the provider sent the browser to."""
    parts = urlsplit(location)
    return f"{parts.path}?{parts.query}"
