#!/usr/bin/env python3
"""Writes the seed corpus of each fuzz target into fuzz/corpus/<target>/seed-*.

Re-running it rewrites the seed-* files only; regression inputs saved from crashes (any other
name) are left alone. The JWS seeds are signed with the secret and instant fuzz_jws.cpp uses.
"""
import base64
import hashlib
import hmac
import json
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent / "corpus"

JWS_SECRET = b"fuzz-jws-secret-0123456789abcdef"  # fuzz_jws.cpp kSecret
JWS_NOW = 1_700_000_000  # fuzz_jws.cpp kNow

# Example bodies of the seed documents (/work/shared/seeds), as the documents print them.
SEED000_BODY = '{\n"email": "string",\n"password": "string"\n}'
SEED002_REGISTER = ('{\n      "password": "securePassword123",\n      "first_name": "John",\n'
                    '      "last_name": "Doe",\n      "email": "john.doe@example.com"\n    }')
SEED002_REGISTER_INCOMPLETE = ('{\n      "first_name": "John",\n      "last_name": "Doe",\n'
                               '      "email": "john.doe@example.com"\n    }')
SEED002_LOGIN = '{\n      "email": "john.doe@example.com",\n      "password": "securePassword123"\n    }'
SEED002_LOGIN_INCOMPLETE = '{\n      "email": "john.doe@example.com"\n    }'
SEED003_REGISTER = ('{\n  "firstName": "johndoe",\n  "lastName": "johndoe",\n'
                    '  "email": "john.doe@example.com",\n  "password": "securePassword123",\n'
                    '  "role": ["admin", "seller,buyer"]  \n}')
SEED003_LOGIN = '{\n  "email": "johndoe@gmail.com",\n  "password": "securePassword123"\n}'


def write(target, name, data):
    folder = ROOT / target
    folder.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    (folder / f"seed-{name}").write_bytes(data)


def clear_seeds(target):
    folder = ROOT / target
    if folder.is_dir():
        for path in folder.glob("seed-*"):
            path.unlink()


# --- fuzz_dialect_bodies -------------------------------------------------------------------------

def dialect_bodies():
    t = "fuzz_dialect_bodies"
    bodies = {
        "seed000-example": SEED000_BODY,
        "seed000-real": '{"email":"alice@example.com","password":"correct horse battery"}',
        "seed002-register": SEED002_REGISTER,
        "seed002-register-incomplete": SEED002_REGISTER_INCOMPLETE,
        "seed002-login": SEED002_LOGIN,
        "seed002-login-incomplete": SEED002_LOGIN_INCOMPLETE,
        "seed003-register": SEED003_REGISTER,
        "seed003-login": SEED003_LOGIN,
        "seed003-role-string": '{"email":"r@example.com","password":"securePassword123","role":"seller"}',
        "seed003-role-mixed": '{"email":"m@example.com","password":"securePassword123","role":["x",1,null]}',
        "seed003-many-roles": json.dumps({"email": "many@example.com", "password": "securePassword123",
                                          "role": [f"role{i}" for i in range(20)]}),
        "seed003-long-role": json.dumps({"email": "lr@example.com", "password": "securePassword123",
                                         "role": ["r" * 100]}),
        "all-fields": json.dumps({"email": "all@example.com", "password": "securePassword123",
                                  "first_name": "A", "last_name": "B", "firstName": "A",
                                  "lastName": "B", "role": ["user"]}),
        "empty": "",
        "null": "null",
        "array": '[{"email":"a@b.c","password":"x"}]',
        "string": '"email"',
        "number": "1e999",
        "empty-object": "{}",
        "trailing-garbage": '{"email":"a@example.com","password":"securePassword123"} x',
        "trailing-comma": '{"email":"a@example.com",}',
        "unterminated": '{"email":"a@example.com","password":"secure',
        "deep": "[" * 17 + "]" * 17,
        "deep-object": '{"a":' * 16 + "1" + "}" * 16,
        "wrong-types": '{"email":1,"password":true,"first_name":[],"last_name":{}}',
        "null-fields": '{"email":null,"password":null}',
        "empty-strings": '{"email":"","password":"","first_name":"","last_name":""}',
        "nul-password": '{"email":"nul@example.com","password":"secure\\u0000Password123"}',
        "long-password": json.dumps({"email": "long@example.com", "password": "p" * 1025}),
        "bcrypt-limit-password": json.dumps({"email": "b@example.com", "password": "p" * 73}),
        "short-password": '{"email":"short@example.com","password":"abc"}',
        "common-password": '{"email":"common@example.com","password":"password123"}',
        "unicode-escapes": '{"email":"\\u00e9l\\u00e8ve@exa\\u006dple.com","password":"p\\ud83d\\ude00ssword123"}',
        "lone-surrogate": '{"email":"x@example.com","password":"\\ud800password"}',
        "duplicate-keys": '{"email":"a@example.com","email":"b@example.com","password":"securePassword123"}',
        "email-spaces": '{"email":"  John.Doe@Example.COM ","password":"securePassword123"}',
        "email-no-at": '{"email":"john.doe.example.com","password":"securePassword123"}',
        "email-long-local": json.dumps({"email": "l" * 65 + "@example.com", "password": "securePassword123"}),
        "email-control": '{"email":"a\\u0001@example.com","password":"securePassword123"}',
        "long-names": json.dumps({"email": "n@example.com", "password": "securePassword123",
                                  "first_name": "n" * 300, "firstName": "n" * 300}),
        "big-numbers": '{"email":"a@example.com","password":"securePassword123","id":18446744073709551616,"x":-1e308}',
    }
    for name, body in bodies.items():
        write(t, name, body)
    write(t, "invalid-utf8", b'{"email":"\xc3\x28@example.com","password":"securePassword123"}')
    write(t, "bom", b'\xef\xbb\xbf{"email":"a@example.com","password":"securePassword123"}')
    write(t, "nul-byte", b'{"email":"a@example.com"\x00,"password":"x"}')


# --- fuzz_http_request ---------------------------------------------------------------------------

ROUTES = [  # (method, path, register body, name)
    ("POST", "/auth/register", '{"email":"h000@example.com","password":"securePassword123"}', "seed000-register"),
    ("POST", "/auth/login", '{"email":"h000@example.com","password":"securePassword123"}', "seed000-login"),
    ("POST", "/auth", '{"password":"securePassword123","first_name":"John","last_name":"Doe","email":"h002@example.com"}', "seed002-register"),
    ("PUT", "/auth", '{"email":"h002@example.com","password":"securePassword123"}', "seed002-login"),
    ("POST", "/api/auth/register", '{"firstName":"johndoe","lastName":"johndoe","email":"h003@example.com","password":"securePassword123","role":["admin","seller,buyer"]}', "seed003-register"),
    ("POST", "/api/auth/login", '{"email":"h003@example.com","password":"securePassword123"}', "seed003-login"),
]


def request(method, path, body="", headers=None, connection="close", version="HTTP/1.1"):
    lines = [f"{method} {path} {version}", "Host: 127.0.0.1"]
    if body or method in ("POST", "PUT"):
        lines.append("Content-Type: application/json")
        lines.append(f"Content-Length: {len(body.encode())}")
    if connection:
        lines.append(f"Connection: {connection}")
    lines += headers or []
    return "\r\n".join(lines) + "\r\n\r\n" + body


def chunked(body, sizes=(7, 13)):
    out, i, k = [], 0, 0
    data = body.encode()
    while i < len(data):
        n = sizes[k % len(sizes)]
        out.append(b"%x\r\n" % len(data[i:i + n]) + data[i:i + n] + b"\r\n")
        i += n
        k += 1
    return b"".join(out) + b"0\r\n\r\n"


def chunked_request(method, path, body, extra=b""):
    head = (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Transfer-Encoding: chunked\r\nConnection: close\r\n").encode() + extra + b"\r\n"
    return head + chunked(body)


def http_requests():
    t = "fuzz_http_request"
    for method, path, body, name in ROUTES:
        write(t, f"{name}", request(method, path, body))
        write(t, f"{name}-keepalive", request(method, path, body, connection="keep-alive"))
        write(t, f"{name}-chunked", chunked_request(method, path, body))
        write(t, f"{name}-expect-100", request(method, path, body, headers=["Expect: 100-continue"]))
        write(t, f"{name}-charset", request(method, path, body).replace(
            "Content-Type: application/json", "Content-Type: Application/JSON; charset=utf-8"))
        write(t, f"{name}-text-plain", request(method, path, body).replace(
            "Content-Type: application/json", "Content-Type: text/plain"))
        write(t, f"{name}-bad-json", request(method, path, '{"email":'))
    write(t, "healthz", request("GET", "/healthz"))
    write(t, "healthz-http10", request("GET", "/healthz", connection="", version="HTTP/1.0"))
    write(t, "healthz-query", request("GET", "/healthz?verbose=1&x=%20", connection="keep-alive"))
    write(t, "healthz-head", request("HEAD", "/healthz"))
    write(t, "readyz", request("GET", "/readyz", connection="keep-alive") + request("GET", "/readyz"))
    write(t, "metrics", request("GET", "/metrics"))
    write(t, "pipelined-then-metrics", "".join(request(m, p, b, connection="keep-alive")
                                               for m, p, b, _ in ROUTES) + request("GET", "/metrics"))
    write(t, "not-found", request("GET", "/nope"))
    write(t, "method-not-allowed", request("DELETE", "/auth"))
    write(t, "absolute-form", request("GET", "http://127.0.0.1/healthz"))
    write(t, "asterisk-form", request("OPTIONS", "*"))
    write(t, "bad-target", request("GET", "/%zz/../healthz"))
    write(t, "dot-segments", request("POST", "/api/./auth/../auth/login", ROUTES[5][2]))

    # Pipelined: every route in one connection, then a dialect's register + login + health.
    write(t, "pipelined-all", "".join(request(m, p, b, connection="keep-alive")
                                      for m, p, b, _ in ROUTES) + request("GET", "/healthz"))
    for i in (0, 2, 4):
        m1, p1, b1, _ = ROUTES[i]
        m2, p2, b2, name = ROUTES[i + 1]
        write(t, f"pipelined-{name.split('-')[0]}",
              request(m1, p1, b1, connection="keep-alive") + request(m2, p2, b2, connection="") +
              request("GET", "/healthz"))
    write(t, "pipelined-mixed-chunked",
          chunked_request("PUT", "/auth", ROUTES[3][2]).replace(b"Connection: close",
                                                                 b"Connection: keep-alive") +
          request("GET", "/healthz").encode())
    write(t, "chunked-extensions-trailers",
          b"POST /auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          b"Transfer-Encoding: chunked\r\n\r\n"
          b"5;name=value\r\n{\"ema\r\n0036\r\nil\":\"h000@example.com\",\"password\":\"securePassword123\"}\r\n"
          b"0\r\nX-Trailer: yes\r\n\r\n")

    # Hostile framing.
    login = ROUTES[1][2]
    base = "POST /auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    hostile = {
        "te-gzip-chunked": base + "Transfer-Encoding: gzip, chunked\r\n\r\n" + chunked(login).decode(),
        "te-chunked-gzip": base + "Transfer-Encoding: chunked, gzip\r\n\r\n" + chunked(login).decode(),
        "te-chunked-twice": base + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked(login).decode(),
        "te-identity": base + f"Transfer-Encoding: identity\r\nContent-Length: {len(login)}\r\n\r\n" + login,
        "te-and-cl": base + "Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n" + chunked(login).decode(),
        "te-smuggle": base + "Transfer-Encoding: xchunked\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
        "te-case": base + "transfer-encoding: CHUNKED\r\n\r\n" + chunked(login).decode(),
        "te-empty": base + "Transfer-Encoding:\r\n\r\n",
        "cl-duplicate-same": base + f"Content-Length: {len(login)}\r\nContent-Length: {len(login)}\r\n\r\n" + login,
        "cl-duplicate-different": base + f"Content-Length: {len(login)}\r\nContent-Length: 3\r\n\r\n" + login,
        "cl-list": base + f"Content-Length: {len(login)}, {len(login)}\r\n\r\n" + login,
        "cl-plus": base + f"Content-Length: +{len(login)}\r\n\r\n" + login,
        "cl-negative": base + "Content-Length: -1\r\n\r\n" + login,
        "cl-overflow": base + "Content-Length: 184467440737095516160\r\n\r\n" + login,
        "cl-too-large": base + "Content-Length: 70000\r\n\r\n" + login,
        "cl-short-body": base + "Content-Length: 500\r\n\r\n" + login,
        "chunk-size-huge": base + "Transfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\nabc\r\n0\r\n\r\n",
        "chunk-size-over-limit": base + "Transfer-Encoding: chunked\r\n\r\n10001\r\nabc\r\n0\r\n\r\n",
        "chunk-bad-terminator": base + "Transfer-Encoding: chunked\r\n\r\n3\r\nabcXX0\r\n\r\n",
        "obs-fold": base + "X-Folded: a\r\n b\r\nContent-Length: 2\r\n\r\n{}",
        "header-no-colon": base + "NoColonHere\r\nContent-Length: 2\r\n\r\n{}",
        "header-space-before-colon": base + "Content-Length : 2\r\n\r\n{}",
        "bare-lf": base.replace("\r\n", "\n") + "Content-Length: 2\n\n{}",
        "bare-cr": "GET /healthz HTTP/1.1\rHost: x\r\r",
        "method-lowercase": "get /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
        "method-garbage": "G\x01T /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
        "version-2": "GET /healthz HTTP/2.0\r\nHost: x\r\n\r\n",
        "version-09": "GET /healthz\r\n\r\n",
        "h2-preface": "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
        "request-line-spaces": "GET  /healthz  HTTP/1.1\r\nHost: x\r\n\r\n",
        "nul-in-header": "GET /healthz HTTP/1.1\r\nHost: x\x00y\r\n\r\n",
        "xff-one": base + f"X-Forwarded-For: 203.0.113.7\r\nContent-Length: {len(login)}\r\n\r\n" + login,
        "xff-chain": base + f"X-Forwarded-For: 198.51.100.1, 10.0.0.1 ,127.0.0.1\r\nContent-Length: {len(login)}\r\n\r\n" + login,
        "xff-v6": base + f"X-Forwarded-For: ::ffff:192.0.2.1, [2001:db8::1], 2001:db8::2\r\nContent-Length: {len(login)}\r\n\r\n" + login,
        "xff-garbage": base + f"X-Forwarded-For: ,,, not-an-ip, 1.2.3.4.5, 999.1.1.1,\t\r\nContent-Length: {len(login)}\r\n\r\n" + login,
        "xff-duplicate": base + f"X-Forwarded-For: 192.0.2.9\r\nX-Forwarded-For: 192.0.2.10\r\nContent-Length: {len(login)}\r\n\r\n" + login,
        "upgrade": "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n",
        "expect-unknown": base + f"Expect: 200-ok\r\nContent-Length: {len(login)}\r\n\r\n" + login,
        "expect-100-no-body": "GET /healthz HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n\r\n",
        "connection-close-then-more": request("GET", "/healthz") + request("GET", "/healthz"),
        "many-headers": "GET /healthz HTTP/1.1\r\n" + "".join(f"X-H{i}: {i}\r\n" for i in range(300)) + "\r\n",
        "huge-header": "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + "a" * 9000 + "\r\n\r\n",
        "huge-target": "GET /" + "a" * 9000 + " HTTP/1.1\r\nHost: x\r\n\r\n",
        "huge-chunk-extension": base + "Transfer-Encoding: chunked\r\n\r\n1;" + "e" * 20000 + "\r\na\r\n0\r\n\r\n",
        "huge-trailer": base + "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\nX-T: " + "t" * 20000 + "\r\n\r\n",
        "empty": "",
        "crlf-only": "\r\n\r\n\r\n",
        "partial-head": "POST /auth/login HTTP/1.1\r\nHost: x\r\nContent-Le",
    }
    for name, data in hostile.items():
        write(t, f"hostile-{name}", data)


# --- fuzz_jws ------------------------------------------------------------------------------------

def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forge(header, payload, secret=JWS_SECRET):
    signing_input = b64url(header.encode()) + "." + b64url(payload.encode())
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + b64url(mac)


def jws_tokens():
    t = "fuzz_jws"
    hs = '{"alg":"HS256","typ":"JWT"}'
    exp = JWS_NOW + 3600
    valid = {
        "valid": forge(hs, json.dumps({"id": 2, "username": "alice@example.com",
                                       "iat": JWS_NOW, "exp": exp}, separators=(",", ":"))),
        "valid-seed003-claims": forge(hs, f'{{"id":2,"iat":{JWS_NOW},"exp":{exp}}}'),
        "valid-nbf": forge(hs, f'{{"exp":{exp},"nbf":{JWS_NOW - 10},"iat":{JWS_NOW}.25}}'),
        "valid-spaced-header": forge('{ "typ": "JWT", "alg": "HS256" }', f'{{"exp":{exp}}}'),
        "valid-exp-float": forge(hs, f'{{"exp":{exp}.0}}'),
        "valid-exp-huge": forge(hs, '{"exp":1e300}'),
        "valid-exp-uint64": forge(hs, '{"exp":18446744073709551615}'),
        "expired": forge(hs, f'{{"exp":{JWS_NOW}}}'),
        "not-yet-valid": forge(hs, f'{{"exp":{exp},"nbf":{JWS_NOW + 100}}}'),
        "exp-negative-huge": forge(hs, '{"exp":-1e300}'),
        "exp-fraction": forge(hs, f'{{"exp":{exp}.5}}'),
        "exp-string": forge(hs, f'{{"exp":"{exp}"}}'),
        "nbf-string": forge(hs, f'{{"exp":{exp},"nbf":"soon"}}'),
        "iat-string": forge(hs, f'{{"exp":{exp},"iat":"now"}}'),
        "no-exp": forge(hs, '{"sub":"1"}'),
        # Hostile tokens from tests/unit/jws_test.cpp.
        "alg-none-unsigned": b64url(b'{"alg":"none","typ":"JWT"}') + "." + b64url(f'{{"exp":{exp}}}'.encode()) + ".",
        "alg-none-signed": forge('{"alg":"none","typ":"JWT"}', f'{{"exp":{exp}}}'),
        "alg-hs512": forge('{"alg":"HS512","typ":"JWT"}', f'{{"exp":{exp}}}'),
        "alg-lowercase": forge('{"alg":"hs256"}', f'{{"exp":{exp}}}'),
        "alg-array": forge('{"alg":["HS256"]}', f'{{"exp":{exp}}}'),
        "alg-missing": forge('{"typ":"JWT"}', f'{{"exp":{exp}}}'),
        "crit-b64": forge('{"alg":"HS256","b64":false,"crit":["b64"]}', f'{{"exp":{exp}}}'),
        "crit-empty": forge('{"alg":"HS256","crit":[]}', f'{{"exp":{exp}}}'),
        "header-array": forge('["HS256"]', f'{{"exp":{exp}}}'),
        "header-trailing-comma": forge('{"alg":"HS256",}', f'{{"exp":{exp}}}'),
        "header-empty": forge("", f'{{"exp":{exp}}}'),
        "payload-array": forge(hs, f'[{{"exp":{exp}}}]'),
        "payload-number": forge(hs, str(exp)),
        "payload-empty": forge(hs, ""),
        "empty-secret": forge('{"alg":"HS256"}', f'{{"exp":{exp}}}', secret=b""),
        "wrong-secret": forge(hs, f'{{"exp":{exp}}}', secret=b"another-secret"),
        "seed003-document-token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpZCI6MiwiaWF0IjoxNzQyOTk1MTE3LCJleHAiOjE3NDMwODE1MTd9.H8iDcPAGweFTS_FsywaV0n3XTYR5au4y1os_ig4nGAg",
        "node-hs512": "eyJhbGciOiJIUzUxMiIsInR5cCI6IkpXVCJ9.eyJleHAiOjE3MDAwMDAwNjB9.LamLft4O2dctwUpzUUOsMWhaMSpOwYqILpN3asqdnBYh1L_lQGQiUBJh3u8i-x7qfPlWiEQfHsjytN2cfVDT0w",
        "segments-none": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9",
        "segments-dots": "...",
        "segments-two": "..",
    }
    good = valid["valid"]
    valid["segments-four"] = good + ".AAAA"
    valid["trailing-dot"] = good + "."
    valid["leading-dot"] = "." + good
    valid["padding"] = good + "="
    valid["plus"] = good[:good.rfind(".") + 1] + "+" + good[good.rfind(".") + 2:]
    valid["leading-space"] = " " + good
    valid["trailing-newline"] = good + "\n"
    valid["truncated-signature"] = good[:-3]
    # Non-canonical trailing bits: a 28-byte header and a 19-byte payload (length 2 mod 4).
    header = b64url(b'{"alg":"HS256","typ":"JWT" }')
    payload = b64url(b'{"exp":1700003600 }')
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    noncanon = header[:-1] + alphabet[alphabet.index(header[-1]) | 1]
    signing_input = noncanon + "." + payload
    valid["non-canonical-header"] = signing_input + "." + b64url(
        hmac.new(JWS_SECRET, signing_input.encode(), hashlib.sha256).digest())
    for name, token in valid.items():
        write(t, name, token)
    # Ed25519: RFC 8032 test 1 as public key (32) || signature (64) || message (empty).
    pk = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
    sig = bytes.fromhex("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e3970"
                        "1cf9b46bd25bf5f0595bbe24655141438e7a100b")
    write(t, "ed25519-rfc8032-1", pk + sig)
    write(t, "ed25519-rfc8032-1-message", pk + sig + b"x")
    write(t, "base64url-all-chars", alphabet)
    write(t, "base64url-len-1-mod-4", "AAAAA")


for target in ("fuzz_dialect_bodies", "fuzz_http_request", "fuzz_jws"):
    clear_seeds(target)
dialect_bodies()
http_requests()
jws_tokens()
