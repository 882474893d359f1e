"""The OPDS catalogue at /opds/ for reading apps: OPDS 1.2 (Atom) and OPDS 2.0 (JSON) feeds of the
same content, OPDS-PSE page streaming for comics, HTTP Basic or API key authentication.

feeds.py builds neutral feed objects (what is listed, which links) from catalog.py's queries; atom.py
and opds2.py only render them. Every query goes through reading.visibility."""
