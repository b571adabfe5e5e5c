# summaryscan: `make demo` runs the main job on the sample corpus, `make test` runs the tests.
# Both set everything up first (virtualenv, dependencies, CJK font).
.PHONY: setup demo test bench clean

setup:
	@bash scripts/setup.sh

demo: setup
	.venv/bin/summaryscan screen corpus --out out/demo

test: setup
	.venv/bin/python -m pytest -q

bench: setup
	.venv/bin/python bench/run.py

clean:
	rm -rf out .pytest_cache
