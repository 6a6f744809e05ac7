# The book's commands. Every target sets up its environment first (only when its
# requirements changed since the last install), so `make test` and `make book` work on a
# fresh clone with nothing but Python 3.10+.
#
# .venv      everything (TensorFlow, PyTorch, ...): test, execute, benchmark. It installs
#            requirements-lock.txt, the exact versions the stored outputs come from (for
#            the Python and platform in its header); `make test LOCK=requirements.txt`
#            installs the ranges instead, e.g. on another Python.
# .venv-book only what builds the website and the editions (requirements-book.txt):
#            book, student, colab execute nothing and need no TensorFlow or PyTorch.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
LOCK   ?= requirements-lock.txt
BOOK_VENV  := .venv-book
BOOK_BIN   := $(BOOK_VENV)/bin
BOOK_STAMP := $(BOOK_VENV)/.installed

.PHONY: venv book test test-lib test-chapters execute student colab lock benchmark benchmark-appendix clean

$(STAMP): requirements.txt requirements-lock.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r $(LOCK)
	@touch $(STAMP)

$(BOOK_STAMP): requirements-book.txt
	@test -x $(BOOK_BIN)/python || $(PYTHON) -m venv $(BOOK_VENV)
	$(BOOK_BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-book.txt
	@touch $(BOOK_STAMP)

venv: $(STAMP)                        ## the environment only

lock: $(STAMP)                        ## re-resolve requirements.txt and rewrite the lock file
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python tools/lock.py

book: $(BOOK_STAMP)                   ## the website, into _build/html (warnings are errors)
	$(BOOK_BIN)/jupyter-book build . --warningiserror --nitpick --keep-going

test: $(STAMP)                        ## nnlib's unit tests and nbval over every chapter
	$(BIN)/python -m pytest tests chapters --nbval --nbval-current-env --nbval-cell-timeout=600

test-lib: $(STAMP)                    ## nnlib's unit tests only
	$(BIN)/python -m pytest tests

test-chapters: $(STAMP)               ## nbval over the chapters only
	$(BIN)/python -m pytest chapters --nbval --nbval-current-env --nbval-cell-timeout=600

execute: $(STAMP)                     ## re-run every chapter, store outputs and run times
	$(BIN)/python tools/execute.py

student: $(BOOK_STAMP)                ## the student edition, into _build/student
	$(BOOK_BIN)/python tools/student_edition.py

colab: $(BOOK_STAMP)                  ## the Colab editions (plain Markdown), into _build/colab*
	$(BOOK_BIN)/python tools/colab_edition.py
	$(BOOK_BIN)/python tools/colab_edition.py --student

benchmark: $(STAMP)                   ## nnlib's speed against Keras, PyTorch and scikit-learn
	$(BIN)/python -m benchmarks.speed

benchmark-appendix: $(STAMP)          ## the same, and rewrite the appendix page's results
	$(BIN)/python -m benchmarks.speed --appendix

clean:                                ## remove what the build made (keeps .venv)
	rm -rf _build .pytest_cache
