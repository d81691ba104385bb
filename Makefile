# faultline — see README.md. `make run` and `make test` are the two commands
# a newcomer needs.
GO       ?= go
BIN      := bin/faultline
PKGS     := ./...
# The demo's lab credentials (simulated devices on loopback only).
export SNMP_COMMUNITY ?= faultline-demo
export BMC_PASSWORD   ?= faultline-demo
DATA ?= $(CURDIR)/data
# faultline version prints it; a build outside a git checkout says "(devel)".
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null)

.PHONY: all build run test test-short race bench bench-reliability bench-compare bench-load bench-sweep bench-sites bench-ghosts soak fuzz vet lint fmt clean

all: build

build:
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o $(BIN) ./cmd/faultline

# The main job on the bundled demo: simulated devices on loopback, real
# protocols, the API and the report on http://127.0.0.1:8080 (Ctrl-C stops).
run: build
	./$(BIN) serve --demo -i inventory.yaml --data $(DATA)

# What CI runs: formatting, vet, and every test under the race detector.
test: vet
	@unformatted="$$(gofmt -l .)"; \
	  if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) test -race -count=1 -timeout 15m $(PKGS)
	# The differential test at full size (thousands of random inventories)
	# runs without the race detector, which slows the naive oracle tenfold.
	$(GO) test -count=1 -run 'TestDifferential' ./audit ./plan
	# History over 1,000 unchanged collections, likewise.
	$(GO) test -count=1 -run 'TestUnchangedCollectionsKeepSize' ./history
	# Likewise the chunked inventory load against the serial one
	# (thousands of mutated files).
	$(GO) test -count=1 -run 'TestChunkedLoadIsTheSerialLoad' ./inventory
	# And the export against SCRAM over 240 random inventories (80 under
	# the race detector).
	$(GO) test -count=1 -run 'TestScramDifferential' ./openpsa

test-short:
	$(GO) test -short -count=1 $(PKGS)

# Benchmarks; results are recorded in docs/performance.md.
BENCH ?= .
bench:
	$(GO) test -run '^$$' -bench '$(BENCH)' -benchmem -timeout 60m $(PKGS)

# The reliability figures (order 2 for every service) against the order-1
# audit, at 10k, 100k and 1M components, in one run (part of bench too;
# results are recorded in docs/performance.md).
bench-reliability:
	$(GO) test -run '^$$' -bench 'BenchmarkReliability' -benchtime 2x -timeout 60m ./audit
# Audit and plan at 1M components against an earlier commit, alternately
# in one session (a few minutes; results are recorded in docs/performance.md).
BASE ?= 73970df
bench-compare:
	BASE=$(BASE) COUNT=$(or $(COUNT),3) GO=$(GO) sh .ci/bench-compare.sh

# validate, audit and diff at 100k and 1M components, the chunked load
# against the serial one, wall time and peak memory in child processes
# (part of bench too; results are recorded in docs/performance.md).
bench-load:
	$(GO) test -run '^$$' -bench BenchmarkCommands -benchtime 1x -timeout 60m ./inventory

# Site collectors over NATS: 10 collectors, 20,000 devices, one auditor
# (a minute or two; results are recorded in docs/performance.md).
bench-sites:
	$(GO) test -v -run '^$$' -bench BenchmarkSiteCollectors -benchtime 1x -timeout 30m ./sitebus

bench-ghosts:
	$(GO) test -v -run '^$$' -bench BenchmarkGhostKeys -benchtime 1x -timeout 30m ./sitebus

# The Redfish fleet sweep: SWEEP_BMCS simulated BMCs over TLS with 50 ms of
# latency (a few minutes; results are recorded in docs/redfish.md).
SWEEP_BMCS ?= 10000
bench-sweep:
	FAULTLINE_SWEEP_BMCS=$(SWEEP_BMCS) $(GO) test -v -run '^$$' -bench BenchmarkSweep -benchtime 1x -timeout 60m ./collector/redfish

# The soak: serve --interval 10s --data against a lab of 2,000 simulated
# devices for SOAK_DURATION, faults injected and cleared, scraped and
# queried throughout; RSS, goroutines, fds, database size and latency
# every SOAK_EVERY into SOAK_OUT (results in docs/performance.md).
SOAK_DURATION ?= 30m
SOAK_EVERY    ?= 1m
SOAK_OUT      ?= $(CURDIR)/soak.csv
# SOAK_PROFILES=DIR keeps the server's heap profile at every sample.
SOAK_PROFILES ?=
soak: build
	FAULTLINE_SOAK_DURATION=$(SOAK_DURATION) FAULTLINE_SOAK_EVERY=$(SOAK_EVERY) FAULTLINE_SOAK_OUT=$(SOAK_OUT) FAULTLINE_BIN=$(CURDIR)/$(BIN) FAULTLINE_SOAK_PROFILES=$(SOAK_PROFILES) \
	  $(GO) test -v -run '^$$' -bench BenchmarkSoak -benchtime 1x -timeout 0 ./soak

# A short fuzzing pass over every parser of outside input.
FUZZTIME ?= 30s
fuzz:
	$(GO) test ./inventory -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME)
	for f in FuzzTerminal FuzzMarkdown FuzzGitHub; do \
	  $(GO) test ./escape -run '^$$' -fuzz "^$$f\$$" -fuzztime $(FUZZTIME) || exit 1; done
	$(GO) test ./observation -run '^$$' -fuzz '^FuzzRead$$' -fuzztime $(FUZZTIME)
	$(GO) test ./observation -run '^$$' -fuzz '^FuzzDecodeDevice$$' -fuzztime $(FUZZTIME)
	$(GO) test ./plan -run '^$$' -fuzz '^FuzzSelect$$' -fuzztime $(FUZZTIME)
	$(GO) test ./audit -run '^$$' -fuzz '^FuzzParseWindow$$' -fuzztime $(FUZZTIME)
	$(GO) test ./collector/snmp -run '^$$' -fuzz '^FuzzParseOID$$' -fuzztime $(FUZZTIME)
	$(GO) test ./collector/snmp -run '^$$' -fuzz '^FuzzValueDecoders$$' -fuzztime $(FUZZTIME)
	$(GO) test ./collector/snmp -run '^$$' -fuzz '^FuzzWalk$$' -fuzztime $(FUZZTIME)
	$(GO) test ./collector/snmp -run '^$$' -fuzz '^FuzzParts$$' -fuzztime $(FUZZTIME)
	$(GO) test ./lab/snmpsim -run '^$$' -fuzz '^FuzzParseSnmprec$$' -fuzztime $(FUZZTIME)
	$(GO) test ./lab/snmpsim -run '^$$' -fuzz '^FuzzHandle$$' -fuzztime $(FUZZTIME)
	$(GO) test ./lab/snmpsim -run '^$$' -fuzz '^FuzzDecodeOID$$' -fuzztime $(FUZZTIME)
	for f in FuzzDecode FuzzCanonicalRef FuzzRequestURL FuzzRAID FuzzCondition FuzzPortNames FuzzChooseInlet FuzzScrub FuzzCountMembers FuzzMaxArray FuzzPDU; do \
	  $(GO) test ./collector/redfish -run '^$$' -fuzz "^$$f\$$" -fuzztime $(FUZZTIME) || exit 1; done
	$(GO) test ./lab/redfishsim -run '^$$' -fuzz FuzzParseExpand -fuzztime $(FUZZTIME)
	$(GO) test ./api -run '^$$' -fuzz '^FuzzDecodeStrict$$' -fuzztime $(FUZZTIME)
	$(GO) test ./api -run '^$$' -fuzz '^FuzzAcceptsGzip$$' -fuzztime $(FUZZTIME)
	$(GO) test ./api -run '^$$' -fuzz '^FuzzReadOnlyQuery$$' -fuzztime $(FUZZTIME)
	for f in FuzzParseObservationKey FuzzParseShare FuzzDecodeObservation; do \
	  $(GO) test ./sitebus -run '^$$' -fuzz "^$$f\$$" -fuzztime $(FUZZTIME) || exit 1; done

vet:
	$(GO) vet $(PKGS)

lint: vet
	@gofmt -l . | tee /dev/stderr | (! read)

fmt:
	gofmt -w .

clean:
	rm -rf bin
