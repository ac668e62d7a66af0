"""The candidate's account: create, activate, log in, reset, modify (R1–R7)."""
