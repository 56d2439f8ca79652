# Build entry points.
#
#   make build     compile bin/meetingfinder
#   make migrate   build, then apply the database migrations
#   make run       database up, migrate, load demo data if empty, serve on $(ADDR)
#   make test      go vet, gofmt check, go test (with DATABASE_URL)
#   make bench     build, then bin/meetingfinder bench $(BENCH_ARGS)
#   make db-up / db-down   start / stop the private PostgreSQL (scripts/pg.sh)
#   make clean     remove build output (the database stays; scripts/pg.sh destroy)
#
# With DATABASE_URL set in the environment that database is used as is;
# otherwise scripts/pg.sh runs a private PostgreSQL + PostGIS cluster on
# 127.0.0.1, port $MF_PG_PORT (default 54329), data in .pgdata.

GO ?= go
GOFMT ?= gofmt
ADDR ?= 127.0.0.1:8080
BENCH_ARGS ?=

BIN := bin/meetingfinder
PG := bash scripts/pg.sh

ifeq ($(strip $(DATABASE_URL)),)
# The URL only depends on the port and the server's user, so it is known
# before the cluster exists; targets that need the database depend on db-up.
DB_UP := db-up
export DATABASE_URL := $(shell $(PG) url)
else
DB_UP :=
export DATABASE_URL
endif

.DEFAULT_GOAL := build
.PHONY: build migrate run test vet fmt-check bench web db-up db-down clean

db-up:
	@$(PG) up
	@test -n "$$DATABASE_URL" || { echo "DATABASE_URL is empty: 'scripts/pg.sh url' failed" >&2; exit 1; }

db-down:
	@$(PG) down

build: web
	$(GO) build -o $(BIN) ./cmd/meetingfinder

migrate: $(DB_UP) build
	$(BIN) migrate

run: migrate
	$(BIN) demo --meetings 20000 --if-empty
	$(BIN) serve --addr $(ADDR)

test: $(DB_UP) web
	$(GO) vet ./...
	@$(MAKE) --no-print-directory fmt-check
	MF_REQUIRE_DB=1 $(GO) test -count=1 -timeout 30m ./...

vet:
	$(GO) vet ./...

# Fails listing the Go files gofmt would change (tracked and untracked files,
# honouring .gitignore; plain find when this is not a usable git checkout).
fmt-check:
	@files="$$( { git ls-files -co --exclude-standard -- '*.go' 2>/dev/null || \
		find . -name '*.go' -not -path './.git/*' -not -path '*/node_modules/*' -not -path './.pgdata/*'; } | \
		while IFS= read -r f; do [ -f "$$f" ] && printf '%s\n' "$$f"; done)"; \
	[ -z "$$files" ] && exit 0; \
	bad="$$(printf '%s\n' "$$files" | tr '\n' '\0' | xargs -0 $(GOFMT) -l)" || exit 1; \
	if [ -n "$$bad" ]; then echo "gofmt needed (run: gofmt -w <file>):" >&2; printf '  %s\n' $$bad >&2; exit 1; fi

bench: $(DB_UP) build
	$(BIN) bench $(BENCH_ARGS)

# The finder page's Leaflet: npm ci into web/node_modules (never committed)
# when it is missing, then copy Leaflet's dist files where the binary embeds
# them (web/static/vendor, ignored by git). Without npm the page still works
# as a list and hides the map.
LEAFLET_DIST := web/node_modules/leaflet/dist
LEAFLET_VENDOR := web/static/vendor/leaflet

web: $(LEAFLET_VENDOR)/leaflet.js

$(LEAFLET_VENDOR)/leaflet.js: web/package.json web/package-lock.json
	@if [ ! -f $(LEAFLET_DIST)/leaflet.js ]; then \
		if command -v npm >/dev/null; then npm ci --prefix web --no-audit --no-fund; \
		else echo "web: npm not found; building without the map (the page works as a list)" >&2; exit 0; fi; \
	fi; \
	mkdir -p $(LEAFLET_VENDOR) && cp $(LEAFLET_DIST)/leaflet.js $(LEAFLET_DIST)/leaflet.css $(LEAFLET_VENDOR)/ && \
	cp -R $(LEAFLET_DIST)/images $(LEAFLET_VENDOR)/ && touch $@

clean:
	rm -rf bin

# The crouton browser test's npm package (e2e/crouton/node_modules, ignored
# by git). Without it, or without Chromium, the test skips unless
# MF_REQUIRE_BROWSER=1 (set by .ci/run).
.PHONY: e2e-deps
e2e-deps:
	npm ci --prefix e2e/crouton --no-audit --no-fund --ignore-scripts
