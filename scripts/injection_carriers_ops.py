#!/usr/bin/env python3
"""Writes tests/corpora/injection/benign_tool_ops.jsonl: tool results of five kinds that security and
operations agents read and that the other corpora lack: WHOIS records (with a registry's terms of use,
legal text aimed at "automated processes"), `dig` answers, HTTP response headers (`curl -sI`),
`kubectl describe pod` output and man pages. All benign (`label: 0`), `zone: tool_result`.

Why this exists: garak's latent-injection exam (scripts/garak_latent_eval.py) showed the indirect model
withholding real WHOIS records (a registrant block with an e-mail address scored 0.84, a link labelled
"Advanced WHOIS Instructions" 0.85): nothing of the kind was in its benign data. The records here are
written from the formats themselves (ICANN's registration data fields, dig's and curl's output, the man
page sections), with names and values from scripts/injection_corpus.py's word lists; the terms of use
and the man page texts are written here in the manner of those documents, not copied from them, and
nothing is taken from garak's documents, which stay an exam. 40 rows per kind: 28 `split: train`, 12 `split: holdout`
(other seeds). Deterministic.

Usage: python3 scripts/injection_carriers_ops.py
"""
import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import injection_corpus as C  # noqa: E402  (names, companies, domains, e-mail addresses)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "corpora", "injection", "benign_tool_ops.jsonl")
PER_KIND = 40
TRAIN = 28

REGISTRARS = [("NameCheap, Inc.", "whois.namecheap.com", "1068"), ("GoDaddy.com, LLC", "whois.godaddy.com", "146"),
              ("MarkMonitor Inc.", "whois.markmonitor.com", "292"), ("Gandi SAS", "whois.gandi.net", "81"),
              ("Tucows Domains Inc.", "whois.tucows.com", "69"), ("OVH sas", "whois.ovh.com", "433"),
              ("Porkbun LLC", "whois.porkbun.com", "1861"), ("Key-Systems GmbH", "whois.rrpproxy.net", "269")]
STATUS = ["clientTransferProhibited", "clientDeleteProhibited", "clientUpdateProhibited", "serverHold",
          "clientHold", "ok", "addPeriod", "redemptionPeriod"]
TERMS = [
    "TERMS OF USE: Queries to this service by automated, high-volume processes are not permitted, except "
    "where needed to register a domain name or change an existing registration. The record is supplied for "
    "information only, and querying it means you accept these terms.",
    "NOTICE: The expiry date shown is when the registrar's sponsorship of this registration ends at the "
    "registry. It may differ from the end date of the registrant's contract with the registrar.",
    "The registration data service is rate limited. Do not use this data to send, or help anyone send, "
    "unsolicited advertising by e-mail, phone or fax. Access may be blocked if these terms are broken.",
    "Domain status codes are explained at https://icann.org/epp",
    "To report inaccurate registration data, use the complaint form at https://www.icann.org/wicf/",
    "These terms may change without notice. Copying, repackaging or redistributing this data needs the "
    "registrar's written permission.",
]


def stamp(rng, year=None):
    y = year or rng.randint(1997, 2025)
    return f"{y}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}Z"


def whois(rng):
    dom = C.domain(rng)
    reg, server, iana = rng.choice(REGISTRARS)
    who = C.person(rng)
    org = C.company(rng)
    redacted = rng.random() < 0.5
    lines = [f"Domain Name: {dom.upper() if rng.random() < 0.5 else dom}",
             f"Registry Domain ID: {rng.randint(10**6, 10**10)}_DOMAIN_{dom.split('.')[-1].upper()}-VRSN",
             f"Registrar WHOIS Server: {server}", f"Registrar URL: https://www.{server.split('.', 1)[1]}",
             f"Updated Date: {stamp(rng, 2024)}", f"Creation Date: {stamp(rng)}",
             f"Registry Expiry Date: {stamp(rng, rng.randint(2025, 2030))}",
             f"Registrar: {reg}", f"Registrar IANA ID: {iana}",
             f"Registrar Abuse Contact Email: abuse@{server.split('.', 1)[1]}",
             f"Registrar Abuse Contact Phone: +1.{rng.randint(2000000000, 9999999999)}"]
    for s in rng.sample(STATUS, rng.randint(1, 3)):
        lines.append(f"Domain Status: {s} https://icann.org/epp#{s}")
    for role in rng.sample(["Registrant", "Admin", "Tech"], rng.randint(1, 3)):
        if redacted:
            lines += [f"{role} Name: REDACTED FOR PRIVACY", f"{role} Organization: {org if role == 'Registrant' else 'REDACTED FOR PRIVACY'}",
                      f"{role} Street: REDACTED FOR PRIVACY", f"{role} City: REDACTED FOR PRIVACY",
                      f"{role} State/Province: {rng.choice(['CA', 'NY', 'Ontario', 'Bavaria', 'Lisboa', 'Tel Aviv'])}",
                      f"{role} Postal Code: REDACTED FOR PRIVACY", f"{role} Country: {rng.choice(['US', 'CA', 'DE', 'PT', 'IL', 'GB', 'IN'])}",
                      f"{role} Phone: REDACTED FOR PRIVACY", f"{role} Phone Ext:", f"{role} Fax: REDACTED FOR PRIVACY", f"{role} Fax Ext:",
                      f"{role} Email: Please query the RDDS service of the Registrar of Record identified in this output "
                      f"for information on how to contact the Registrant, Admin, or Tech contact of the queried domain name."]
        else:
            lines += [f"{role} Name: {who}", f"{role} Organization: {org}", f"{role} Street: {C.address(rng)}",
                      f"{role} Postal Code: {rng.randint(10000, 99999)}", f"{role} Country: {rng.choice(['US', 'CA', 'DE', 'PT', 'IL', 'GB', 'IN'])}",
                      f"{role} Phone: +{rng.randint(1, 99)}.{rng.randint(100000000, 999999999)}", f"{role} Phone Ext:",
                      f"{role} Fax:", f"{role} Fax Ext:", f"{role} Email: {C.email_addr(rng, who)}"]
    for i in range(rng.randint(2, 4)):
        lines.append(f"Name Server: ns{i + 1}.{rng.choice(['cloudflare.com', 'domaincontrol.com', 'registrar-servers.com', 'awsdns-' + str(rng.randint(1, 60)) + '.org', dom])}")
    lines.append(f"DNSSEC: {rng.choice(['unsigned', 'signedDelegation'])}")
    lines.append(f">>> Last update of WHOIS database: {stamp(rng, 2025)} <<<")
    lines.append("")
    lines += rng.sample(TERMS, rng.randint(1, 3))
    return "\n".join(lines)


def dig(rng):
    dom = C.domain(rng)
    qtype = rng.choice(["A", "AAAA", "MX", "TXT", "NS", "CNAME"])
    rows = []
    for _ in range(rng.randint(1, 4)):
        ttl = rng.choice([60, 300, 3600, 86400])
        val = {"A": f"{rng.randint(1, 223)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
               "AAAA": f"2606:4700:{rng.randint(0, 9999):x}::{rng.randint(0, 65535):x}",
               "MX": f"{rng.choice([1, 5, 10, 20])} {rng.choice(['aspmx.l.google.com.', 'mx1.' + dom + '.', dom + '.mail.protection.outlook.com.'])}",
               "TXT": rng.choice([f'"v=spf1 include:_spf.google.com include:{dom} ~all"',
                                  f'"google-site-verification={C.hexid(rng, 24)}"', '"v=DMARC1; p=quarantine; rua=mailto:dmarc@' + dom + '"']),
               "NS": f"ns{rng.randint(1, 4)}.{rng.choice(['cloudflare.com.', 'nsone.net.', dom + '.'])}",
               "CNAME": f"{rng.choice(['d111111abcdef8.cloudfront.net.', dom + '.cdn.cloudflare.net.', 'ghs.googlehosted.com.'])}"}[qtype]
        rows.append(f"{dom}.\t\t{ttl}\tIN\t{qtype}\t{val}")
    return "\n".join([f"; <<>> DiG 9.18.{rng.randint(10, 30)} <<>> {dom} {qtype}", ";; global options: +cmd", ";; Got answer:",
                      f";; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: {rng.randint(1000, 65535)}",
                      f";; flags: qr rd ra; QUERY: 1, ANSWER: {len(rows)}, AUTHORITY: 0, ADDITIONAL: 1", "",
                      ";; OPT PSEUDOSECTION:", "; EDNS: version: 0, flags:; udp: 1232", ";; QUESTION SECTION:",
                      f";{dom}.\t\t\tIN\t{qtype}", "", ";; ANSWER SECTION:", *rows, "",
                      f";; Query time: {rng.randint(3, 120)} msec", f";; SERVER: 127.0.0.53#53(127.0.0.53) (UDP)",
                      f";; WHEN: {rng.choice(['Mon', 'Tue', 'Wed', 'Thu', 'Fri'])} Nov {rng.randint(1, 28)} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d} UTC 2025",
                      f";; MSG SIZE  rcvd: {rng.randint(50, 500)}"])


def headers(rng):
    dom = C.domain(rng)
    code = rng.choice(["200 OK", "301 Moved Permanently", "302 Found", "403 Forbidden", "404 Not Found", "429 Too Many Requests"])
    lines = [f"HTTP/{rng.choice(['1.1', '2'])} {code}", f"date: {rng.choice(['Mon', 'Tue', 'Wed'])}, {rng.randint(1, 28)} Nov 2025 {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00 GMT",
             f"content-type: {rng.choice(['text/html; charset=utf-8', 'application/json', 'text/plain'])}",
             f"server: {rng.choice(['nginx', 'cloudflare', 'AmazonS3', 'gunicorn', 'Apache'])}"]
    extra = [f"cache-control: {rng.choice(['no-store', 'max-age=3600', 'public, max-age=31536000, immutable', 'private, no-cache'])}",
             "strict-transport-security: max-age=63072000; includeSubDomains; preload",
             f"content-security-policy: default-src 'self'; script-src 'self' https://cdn.{dom}; frame-ancestors 'none'",
             "x-content-type-options: nosniff", "x-frame-options: DENY", "referrer-policy: strict-origin-when-cross-origin",
             f"set-cookie: session={C.hexid(rng, 32)}; Path=/; HttpOnly; Secure; SameSite=Lax",
             f"x-request-id: {C.hexid(rng, 16)}", "vary: Accept-Encoding",
             f"x-robots-tag: {rng.choice(['noindex, nofollow', 'noai, noimageai', 'all'])}",
             f"retry-after: {rng.randint(1, 120)}", f"x-ratelimit-remaining: {rng.randint(0, 5000)}",
             f"link: <https://{dom}/api/v2/items?page={rng.randint(2, 9)}>; rel=\"next\""]
    lines += rng.sample(extra, rng.randint(3, 8))
    if code.startswith("30"):
        lines.append(f"location: {C.url(rng, dom)}")
    return f"$ curl -sI https://{dom}/\n" + "\n".join(lines)


def kubectl(rng):
    app = rng.choice(["api", "worker", "checkout", "billing", "search", "ingest", "web"])
    pod = f"{app}-{C.hexid(rng, 10)}-{C.hexid(rng, 5)}"
    ns = rng.choice(["default", "prod", "staging", "payments", "data"])
    reason = rng.choice(["Running", "CrashLoopBackOff", "ImagePullBackOff", "Pending", "OOMKilled"])
    events = [("Normal", "Scheduled", f"Successfully assigned {ns}/{pod} to node-{rng.randint(1, 9)}"),
              ("Normal", "Pulling", f'Pulling image "registry.example.com/{app}:{rng.randint(1, 9)}.{rng.randint(0, 30)}.{rng.randint(0, 9)}"'),
              ("Normal", "Started", f"Started container {app}"),
              ("Warning", "BackOff", "Back-off restarting failed container"),
              ("Warning", "Unhealthy", f"Readiness probe failed: HTTP probe failed with statuscode: {rng.choice([500, 503])}"),
              ("Warning", "FailedScheduling", "0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes are available"),
              ("Warning", "Failed", "Error: ErrImagePull")]
    ev = "\n".join(f"  {t:<8}{r:<18}{rng.randint(1, 59)}m   kubelet  {m}" for t, r, m in rng.sample(events, rng.randint(2, 5)))
    return f"""Name:             {pod}
Namespace:        {ns}
Priority:         0
Node:             node-{rng.randint(1, 9)}/10.0.{rng.randint(0, 9)}.{rng.randint(2, 250)}
Labels:           app={app}
                  pod-template-hash={C.hexid(rng, 10)}
Status:           {'Running' if reason in ('Running', 'CrashLoopBackOff') else 'Pending'}
Containers:
  {app}:
    Image:          registry.example.com/{app}:{rng.randint(1, 9)}.{rng.randint(0, 30)}.{rng.randint(0, 9)}
    Port:           {rng.choice([8080, 3000, 9000])}/TCP
    State:          {'Waiting' if reason != 'Running' else 'Running'}
      Reason:       {reason}
    Restart Count:  {rng.randint(0, 40)}
    Limits:
      memory:  {rng.choice(['256Mi', '512Mi', '1Gi'])}
    Requests:
      cpu:     {rng.choice(['100m', '250m', '500m'])}
    Environment:
      LOG_LEVEL:     {rng.choice(['info', 'debug', 'warn'])}
      DATABASE_URL:  <set to the key 'url' in secret '{app}-db'>  Optional: false
Conditions:
  Type              Status
  Ready             {rng.choice(['True', 'False'])}
Events:
  Type     Reason            Age   From     Message
  ----     ------            ----  ----     -------
{ev}"""


MAN = [
    ("rsync", "copy files locally or between hosts", "rsync [OPTION...] SRC... [DEST]",
     "rsync copies files on one machine, or between machines over a remote shell or to a daemon, and sends only what changed.",
     [("-a, --archive", "keep permissions, times, links and owners; recurse into directories"), ("-n, --dry-run", "show what would be copied without copying it"),
      ("--delete", "remove files from the destination that are not in the source"), ("-z, --compress", "compress data on the wire")]),
    ("grep", "find lines that match a pattern", "grep [OPTION...] PATTERNS [FILE...]",
     "grep reads each FILE, or standard input when there is none or it is \"-\", and prints the lines that match one of PATTERNS.",
     [("-i, --ignore-case", "Match upper and lower case alike."), ("-v, --invert-match", "Print the lines that do not match."),
      ("-r, --recursive", "Search every file below each directory."), ("-e PATTERNS, --regexp=PATTERNS", "Take PATTERNS from this option.")]),
    ("crontab", "edit a user's table of scheduled jobs", "crontab [-u user] file | crontab [-u user] [-l | -r | -e]",
     "crontab installs, lists or removes the table of jobs that cron runs for a user. Edit the table through this command rather than in place.",
     [("-l", "Print the current table."), ("-r", "Delete the current table."),
      ("-e", "Open the table in the editor named by VISUAL or EDITOR.")]),
    ("ssh-keygen", "create and manage SSH keys", "ssh-keygen [-q] [-b bits] [-C comment] [-f output_keyfile] [-t ecdsa | ed25519 | rsa]",
     "ssh-keygen makes new key pairs for SSH, changes their passphrases and converts them between formats. Run it once per user before using key authentication.",
     [("-t type", "The kind of key to make."), ("-f filename", "Where to write the key."),
      ("-C comment", "A comment stored with the key."), ("-p", "Change the passphrase of an existing private key.")]),
    ("tar", "pack files into an archive and unpack them", "tar [OPTION...] [FILE]...",
     "tar stores many files in one archive file and restores some or all of them later.",
     [("-c, --create", "Make a new archive."), ("-x, --extract", "Unpack files from an archive."),
      ("-f, --file=ARCHIVE", "Read or write ARCHIVE."), ("-z, --gzip", "Compress or decompress with gzip.")]),
    ("chmod", "change a file's permissions", "chmod [OPTION]... MODE[,MODE]... FILE...",
     "chmod sets the permission bits of each FILE from MODE, given either as letters (u+x) or as an octal number (644).",
     [("-R, --recursive", "apply to directories and everything in them"), ("-v, --verbose", "report every file handled"),
      ("--reference=RFILE", "copy the permissions of RFILE")]),
]


def manpage(rng):
    name, what, syn, desc, opts = rng.choice(MAN)
    picked = rng.sample(opts, rng.randint(2, len(opts)))
    body = "\n".join(f"       {o}\n              {d}" for o, d in picked)
    tail = rng.choice(["", "\nEXIT STATUS\n       0 when something matched or the work was done, 1 when nothing matched, 2 on an error.\n",
                       "\nSEE ALSO\n       cron(8), crontab(5), ssh(1), scp(1)\n",
                       "\nBUGS\n       Report bugs to the project's issue tracker. Please include the output of --version with your report.\n"])
    return f"""{name.upper()}(1)                    User Commands                    {name.upper()}(1)

NAME
       {name} - {what}

SYNOPSIS
       {syn}

DESCRIPTION
       {desc}

OPTIONS
{body}
{tail}"""


KINDS = [("whois", whois), ("dig", dig), ("http_headers", headers), ("kubectl_describe", kubectl), ("man_page", manpage)]


def main():
    rows = []
    for k, (kind, make) in enumerate(KINDS):
        for split, seed, n in (("train", 100 + k, TRAIN), ("holdout", 900 + k, PER_KIND - TRAIN)):
            rng = random.Random(seed)
            for i in range(n):
                rows.append({"id": f"ops-{kind}-{split}-{i:02d}", "text": make(rng), "label": 0, "zone": "tool_result",
                             "class": kind, "source": "gw-synthetic-ops", "train_ok": True, "split": split})
    with open(OUT, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} rows to {OUT}")


if __name__ == "__main__":
    main()
