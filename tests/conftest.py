"""Shared test fixtures: the sample corpus in data/raw and throwaway databases."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw"
GOLD = ROOT / "tests" / "fixtures" / "gold"

OME_PLAN = RAW / "ome_cci_2023.pdf"
RUMOI_PLAN = RAW / "rumoi_cci_2025.pdf"
PROMOTION_PLAN = RAW / "akiruno_promotion_plan_ch3.pdf"
PROGRESS_XLSX = RAW / "akiruno_progress_r7.xlsx"
PROGRESS_PDF = RAW / "akiruno_progress_r7.pdf"


@pytest.fixture
def corpus(tmp_path) -> Path:
    """A writable copy of the sample corpus (tests may touch, change or add files)."""
    target = tmp_path / "corpus"
    shutil.copytree(RAW, target)
    for path in target.iterdir():
        path.chmod(0o644)
    return target


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "plans.duckdb"
