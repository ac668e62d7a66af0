"""Tests that drive a real Chromium against a live server (marked `browser`).

A package so that its conftest.py does not clash with tests/conftest.py, and so that the test
modules can import the helpers of `harness.py`.
"""
