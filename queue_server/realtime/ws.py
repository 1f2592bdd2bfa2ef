"""Websocket endpoints (filled in by the realtime issue)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
