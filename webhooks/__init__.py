"""Webhooks that tell the front ends when published content changes."""
