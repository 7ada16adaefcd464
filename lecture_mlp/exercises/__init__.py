"""Checks for the notebooks' exercises: each names the mistake it recognises."""
