"""benchmarks/e2e.py samples the memory of a whole process tree from /proc."""

from __future__ import annotations

import subprocess
import sys
import time

from benchmarks.e2e import process_tree, search_terms, tree_memory

GRANDCHILD = "import subprocess, sys, time; subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']); " \
             "b = bytearray(30 * 1024 * 1024); time.sleep(60)"


def test_tree_memory_adds_up_a_process_and_its_descendants():
    parent = subprocess.Popen([sys.executable, "-c", GRANDCHILD])
    try:
        for _ in range(200):
            if len(process_tree(parent.pid)) == 2 and tree_memory(parent.pid).rss_mb > 30:
                break
            time.sleep(0.05)
        pids = process_tree(parent.pid)
        assert len(pids) == 2 and pids[0] == parent.pid
        memory = tree_memory(parent.pid)
        alone = tree_memory(pids[1])
        assert memory.processes == 2 and alone.processes == 1
        assert memory.rss_mb > 30 + alone.rss_mb - 1  # the parent's 30 MB buffer plus the grandchild
        assert 0 < memory.pss_mb <= memory.rss_mb + 1
    finally:
        for pid in process_tree(parent.pid)[::-1]:
            subprocess.run(["kill", str(pid)], check=False)
        parent.wait(10)


def test_tree_memory_of_a_process_that_ended_is_zero():
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    assert tree_memory(ended.pid).rss_mb == 0


def test_search_terms_are_reproducible_words_of_titles():
    titles = ["The Sands of Dune", "Winter Garden"]
    terms = search_terms(titles, 20)
    assert terms == search_terms(titles, 20) and len(terms) == 20
    assert all(t.rstrip("*").split()[0] in " ".join(titles) for t in terms)
