#!/usr/bin/env python3
"""Writes the text seed corpora of tests/fuzz/corpus/ from the tests' own
requests: the JSON bodies, paths and query strings of tests/integration
(each body paired with the first route whose request message has its fields),
the identity numbers of the unit tests, the texts of meetings and reports,
webhook addresses. Run once when the tests gain new kinds of requests; the
files are committed. The protobuf seeds come from these by fuzz_seeds."""
import glob
import hashlib
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(ROOT, "tests", "fuzz", "corpus")
UUID = "3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b"


def c_strings(text):
    """Every C string literal, adjacent ones joined, unescaped."""
    out = []
    for m in re.finditer(r'(?:"(?:[^"\\\n]|\\.)*"\s*)+', text):
        parts = re.findall(r'"((?:[^"\\\n]|\\.)*)"', m.group(0))
        s = "".join(parts)
        try:
            s = bytes(s, "utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8")
        except (UnicodeDecodeError, UnicodeEncodeError):
            continue
        out.append(s)
    return out


def filled(s):
    """printf placeholders as values a test would put there."""
    s = re.sub(r"%(\.\*)?s", UUID, s)
    s = re.sub(r"%l*[dui]|%zu", "1", s)
    return s.replace("%%", "%")


def messages():
    """message name -> set of proto field names, from the .proto files."""
    fields = {}
    for path in glob.glob(os.path.join(ROOT, "proto", "samhand", "v1", "*.proto")):
        text = open(path).read()
        for m in re.finditer(r"message (\w+) \{(.*?)\n\}", text, re.S):
            fields[m.group(1)] = set(re.findall(r"^\s*(?:repeated\s+)?[\w.]+\s+(\w+)\s*=\s*\d+;", m.group(2), re.M))
    return fields


def routes():
    """(index, method, path, request message) of gateway/gateway_routes.c, in order."""
    text = open(os.path.join(ROOT, "gateway", "gateway_routes.c")).read()
    rows = re.findall(r'\{"(GET|POST|PATCH|PUT|DELETE)",\s*"([^"]+)",\s*"\w+",\s*"[\w.]+",\s*D\((\w+)\)', text)
    camel = lambda n: "".join(p.capitalize() for p in n.split("_"))
    return [(i, m, p, camel(req)) for i, (m, p, req) in enumerate(rows)]


def snake(name):
    return re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), name)


def write(target, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    name = "seed-" + hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def main():
    sources = sorted(glob.glob(os.path.join(ROOT, "tests", "integration", "*.c")) +
                     glob.glob(os.path.join(ROOT, "tests", "e2e", "*.c")))
    strings = []
    for path in sources:
        strings += [filled(s) for s in c_strings(open(path).read())]
    fields = messages()
    table = routes()
    bodies, urls = {}, set()
    for s in strings:
        if s.startswith("{"):
            try:
                body = json.loads(s)
            except ValueError:
                continue
            if isinstance(body, dict):
                bodies[json.dumps(body, ensure_ascii=False, separators=(",", ":"))] = body
        elif s.startswith("/v1/") and len(s) < 300:
            urls.add(s)
    # each body to the first) route with a body whose request has all its fields
    for text, body in sorted(bodies.items()):
        keys = {snake(k) for k in body}
        fits = [r for r in table if r[1] in ("POST", "PATCH", "PUT") and keys <= fields.get(r[3], set())]
        for index, _, _, _ in fits[:1]:
            write("transcode", bytes([index >> 8, index & 0xFF]) + text.encode("utf-8"))
    methods = ["GET", "POST", "PATCH", "PUT", "DELETE"]
    for url in sorted(urls):
        write("query", bytes([methods.index("GET")]) + url.encode("utf-8"))
    # tokens: the payloads and headers the JWT tests sign
    jwt_texts = []
    for path in glob.glob(os.path.join(ROOT, "tests", "unit", "gateway", "test_jwt.c")) + \
            glob.glob(os.path.join(ROOT, "tests", "integration", "test_oidc.c")):
        jwt_texts += [filled(s) for s in c_strings(open(path).read()) if '"iss"' in s or '"alg"' in s]
    payload = ('{"iss":"https://helseid.test","aud":"samhand","sub":"hpr:565501234","exp":1763799999,'
               '"nbf":1763798800,"helseid://claims/client/claims/orgnr_parent":"883974832",'
               '"samhand_roles":["reporter","quality"]}')
    write("jwt", b"\x01" + payload.encode())
    write("jwt", b"\x01" + payload.replace('["reporter","quality"]', '"reporter secretariat"').encode())
    write("jwt", b'\x01{"alg":"ES256","kid":"helseid-ec"}\x00' + payload.encode())
    write("jwt", b'\x0f{"alg":"RS256","kid":"helseid-rsa"}\x00' + payload.encode())
    write("jwt", b"\x00eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.")
    for t in jwt_texts:
        write("jwt", b"\x01" + t.encode())
    # identity numbers as the unit tests and the reports write them
    for path in [os.path.join(ROOT, "tests", "unit", "deviation", "test_identity.c"),
                 os.path.join(ROOT, "tests", "integration", "test_deviations.c")]:
        for s in c_strings(open(path).read()):
            if re.search(r"\d{5}", s) and not s.startswith("/") and len(s) < 400:
                write("identity", s)
    # hostile and ordinary texts of meetings and reports, for the documents
    texts = [b.get(k) for b in bodies.values() for k in ("title", "place", "description", "name", "background", "answer")]
    texts = sorted({t for t in texts if isinstance(t, str) and t})[:40]
    texts += ["Saksliste:\n09:00 12/26 Godkjenning av innkalling\n09:15 13/26 Samhandling, \u00e6\u00f8\u00e5; \\ og ,",
              "<script>alert('x')</script> & \"sitat\"", "a" * 73 + "\U0001F600" + "b" * 80,
              "DESCRIPTION:x\r\nATTENDEE:mailto:evil@example.org", "\u00e6" * 120]
    for t in texts:
        write("ics", b"\x01" + t.encode())
        write("ics", b"\x00" + t.encode())
        write("html", t)
    # webhook addresses: the receivers' and the refused ones
    for a in ["127.0.0.1", "::1", "169.254.169.254", "0.0.0.0", "::ffff:127.0.0.1", "fe80::1", "10.0.0.1",
              "2001:db8::1", "::", "localhost"]:
        write("webhook_address", b"\x00" + a.encode())
    for u in ["http://127.0.0.1:8099/hook", "https://mottak.example.no/samhand", "http://[::1]:80/",
              "http://169.254.169.254/latest/meta-data/", "http://0x7f000001/", "http://2130706433/",
              "http://127.1/", "https://[::ffff:7f00:1]/x"]:
        write("webhook_address", b"\x02" + u.encode())
        write("webhook_address", b"\x03" + u.encode())
    print("seeds written under", CORPUS, file=sys.stderr)


main()
