# The README's two quick-start commands:
#   make demo   install missing Debian packages, build (Release), run the main job
#   make test   install missing packages, build, run every test (C, Lua, REPL)
BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= 2

PREFIX     ?= /usr/local

.PHONY: all deps build demo test test-asan bench clean install

all: build

deps:
	@bash scripts/install-deps

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release >/dev/null

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j$(JOBS)

demo: build
	$(BUILD)/nnsh scripts/q2_topk.lua

test: build
	bash tests/run_all.sh $(BUILD)

$(ASAN_BUILD)/CMakeCache.txt:
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DNNSH_SANITIZE=ON >/dev/null

test-asan: deps $(ASAN_BUILD)/CMakeCache.txt
	cmake --build $(ASAN_BUILD) -j$(JOBS)
	NNSH_SANITIZED=1 bash tests/run_all.sh $(ASAN_BUILD)

# nnsh on $(PREFIX)/bin, its Lua modules, scripts, data and models under
# $(PREFIX)/share/nnsh (see CMakeLists.txt); e.g. make install PREFIX=$HOME/.local
install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

bench: build
	bash bench/run

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
