"""The production end-to-end suite: the reference deployment (deploy/, the Procfile)
started on this machine, and used through nginx over HTTPS as front ends, browsers and
editors would. `make test` runs it beside the SQLite and PostgreSQL passes; alone:
`make test-production`."""
