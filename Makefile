# The book's commands. Every target sets up .venv first (only when requirements.txt or
# pyproject.toml changed since the last install), so `make test` and `make book` work on a
# fresh clone with nothing but Python 3.10+.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: venv book test test-lib test-chapters execute student colab benchmark benchmark-appendix clean

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $(STAMP)

venv: $(STAMP)                        ## the environment only

book: $(STAMP)                        ## the website, into _build/html (warnings are errors)
	$(BIN)/jupyter-book build . --warningiserror --nitpick --keep-going

test: $(STAMP)                        ## nnlib's unit tests and nbval over every chapter
	$(BIN)/python -m pytest tests chapters --nbval --nbval-current-env --nbval-cell-timeout=600

test-lib: $(STAMP)                    ## nnlib's unit tests only
	$(BIN)/python -m pytest tests

test-chapters: $(STAMP)               ## nbval over the chapters only
	$(BIN)/python -m pytest chapters --nbval --nbval-current-env --nbval-cell-timeout=600

execute: $(STAMP)                     ## re-run every chapter, store outputs and run times
	$(BIN)/python tools/execute.py

student: $(STAMP)                     ## the student edition, into _build/student
	$(BIN)/python tools/student_edition.py

colab: $(STAMP)                       ## the Colab editions (plain Markdown), into _build/colab*
	$(BIN)/python tools/colab_edition.py
	$(BIN)/python tools/colab_edition.py --student

benchmark: $(STAMP)                   ## nnlib's speed against Keras and scikit-learn
	$(BIN)/python -m benchmarks.speed

benchmark-appendix: $(STAMP)          ## the same, and rewrite the appendix page's results
	$(BIN)/python -m benchmarks.speed --appendix

clean:                                ## remove what the build made (keeps .venv)
	rm -rf _build .pytest_cache
