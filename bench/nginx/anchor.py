"""Writes the nginx server block that answers a canned copy of a glacier-mock response.

bench/run_wrk.sh compares DescribeJob and ListJobs with nginx answering the same bytes:
it builds the scenario's fixture on a glacier-mock, then runs

    python3 bench/nginx/anchor.py PORT SCENARIO CONF_FILE NGINX_PORT < fixture-env

which asks that server for the scenario's response (DescribeJob of the fixture's job, or
ListJobs?limit=50 of its 60 jobs) and writes CONF_FILE: a server on 127.0.0.1:NGINX_PORT
answering 200 with that body, its Content-Type and its other headers (nginx adds Date and
Content-Length itself, and Server and Connection, about 40 bytes more than glacier-mock).
bench/nginx/nginx.conf includes anchors/*.conf from its directory.
"""
import http.client
import sys

PATHS = {
    "describe_job": lambda env: "/-/vaults/bench/jobs/" + env["GLACIER_JOB_ID"],
    "list_jobs": lambda env: "/-/vaults/bench/jobs?limit=50",
}
# Headers nginx writes itself.
NGINX_OWN = {"date", "content-length", "connection", "server", "content-type"}
# nginx's configuration parser limits one token to 4 KiB: the body goes in as chunks.
CHUNK = 2048


def quote(text):
    """An nginx single-quoted string: backslash and quote escaped."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def server_block(nginx_port, content_type, headers, body):
    # `return` text takes variables: a '$' in the body would be read as one.
    if "$" in body:
        sys.exit("anchor.py: the body holds a '$', which nginx would read as a variable")
    chunks = [body[i:i + CHUNK] for i in range(0, len(body), CHUNK)]
    lines = [
        "server {",
        f"  listen 127.0.0.1:{nginx_port};",
        "  location / {",
        f"    default_type {quote(content_type)};",
    ]
    lines += [f"    add_header {name} {quote(value)} always;" for name, value in headers]
    # `set` of a constant stores a pointer; `return` concatenates the chunks per request,
    # one buffer and one copy, as any server answering a canned body does.
    lines += [f"    set $body{i} {quote(chunk)};" for i, chunk in enumerate(chunks)]
    joined = "".join(f"${{body{i}}}" for i in range(len(chunks)))
    lines += [f'    return 200 "{joined}";', "  }", "}"]
    return "\n".join(lines) + "\n"


def main():
    port, scenario, conf, nginx_port = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
    env = dict(line.split("=", 1) for line in sys.stdin.read().split())
    path = PATHS[scenario](env)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers={"x-amz-glacier-version": "2012-06-01"})
    r = conn.getresponse()
    body = r.read()
    if r.status != 200:
        sys.exit(f"anchor.py: GET {path} answered {r.status}: {body[:300]!r}")
    headers = [(k, v) for k, v in r.getheaders() if k.lower() not in NGINX_OWN]
    with open(conf, "w") as f:
        f.write(server_block(nginx_port, r.getheader("Content-Type"), headers, body.decode()))
    print(f"nginx anchor for {scenario}: {len(body)} bytes of {r.getheader('Content-Type')}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
